//! The appointments API over HTTP on the embedded default (SQLite).

use frontdesk_testkit::TestServer;

async fn embedded(vars: &[(&str, &str)]) -> TestServer {
    TestServer::start(vars).await
}

crate::appointments_tests!(embedded);
