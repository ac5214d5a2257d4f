//! WhatsApp over HTTP on the AWS backends: DynamoDB through the real aws-sdk client, against
//! the moto server the test command starts.

mod whatsapp;

use frontdesk_tests::TestServer;

async fn aws(vars: &[(&str, &str)]) -> TestServer {
    TestServer::start_aws(vars).await
}

whatsapp_tests!(aws);
