//! WhatsApp over HTTP on the embedded default (SQLite).

mod whatsapp;

use frontdesk_tests::TestServer;

async fn embedded(vars: &[(&str, &str)]) -> TestServer {
    TestServer::start(vars).await
}

whatsapp_tests!(embedded);
