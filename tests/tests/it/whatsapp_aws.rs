//! WhatsApp over HTTP on the AWS backends: DynamoDB through the real aws-sdk client, against
//! the moto server the test command starts.

use frontdesk_testkit::TestServer;

async fn aws(vars: &[(&str, &str)]) -> TestServer {
    TestServer::start_aws(vars).await
}

crate::whatsapp_tests!(aws);
