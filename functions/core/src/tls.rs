//! TLS for every outbound HTTPS connection Frontdesk makes: the AWS SDK clients and the HTTP
//! client for Twilio, Meta and business webhooks. Both use rustls with the ring crypto
//! provider, so each bootstrap links one TLS stack and no aws-lc (most of a Lambda's size is
//! its dependencies; see README "Performance"). Certificates are checked against the
//! system's roots, as before.

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// The HTTP client the AWS SDK clients use (set on every `SdkConfig` by the Lambda edge's
/// `config_loader`).
pub fn sdk_http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// A `reqwest` client builder whose TLS uses ring. Every `reqwest::Client` in Frontdesk starts
/// here: reqwest is built without a crypto provider of its own and takes the process default,
/// which this installs.
pub fn https_client_builder() -> reqwest::ClientBuilder {
    // Fails only when a provider is already installed, which is the state we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reqwest_clients_build_with_the_ring_provider() {
        https_client_builder()
            .build()
            .expect("a client builds once the provider is installed");
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
