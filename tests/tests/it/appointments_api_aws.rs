//! The appointments API over HTTP on the AWS backends: DynamoDB's transactions and SQS through
//! the real aws-sdk clients, against the moto server the test command starts.

use frontdesk_testkit::TestServer;

async fn aws(vars: &[(&str, &str)]) -> TestServer {
    TestServer::start_aws(vars).await
}

crate::appointments_tests!(aws);
