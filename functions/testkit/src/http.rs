//! The HTTP client tests send requests with.

/// An HTTP client on Frontdesk's one TLS stack.
pub fn http_client() -> reqwest::Client {
    frontdesk::tls::https_client_builder()
        .build()
        .expect("the test client builds")
}
