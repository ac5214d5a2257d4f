//! The X-Twilio-Signature vectors in `functions/core/tests/fixtures/signature-vectors.json`,
//! copied from the test suites of Twilio's official helper libraries.

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
pub struct SignatureVector {
    pub id: String,
    pub token: String,
    pub url: String,
    pub params: Vec<(String, String)>,
    /// A JSON body, signed through `bodySHA256` (then `params` is empty).
    pub body: Option<String>,
    pub expected_signature: String,
    pub valid: bool,
}

/// Every vector in the fixture.
pub fn signature_vectors() -> Vec<SignatureVector> {
    let text = include_str!("../../core/tests/fixtures/signature-vectors.json");
    let vectors: Vec<SignatureVector> = serde_json::from_str(text).expect("fixture parses");
    assert!(vectors.len() >= 19, "fixture lost vectors");
    vectors
}

/// The vector `id`.
pub fn signature_vector(id: &str) -> SignatureVector {
    signature_vectors()
        .into_iter()
        .find(|v| v.id == id)
        .unwrap_or_else(|| panic!("no signature vector `{id}`"))
}
