//! Every vector in the repository's fixture (copied from the test suites of Twilio's official
//! helper libraries), both computed and validated.

use frontdesk::config::Secret;
use frontdesk::twilio::signature::{self, SignedPayload, Validator};
use frontdesk_testkit::vectors::{signature_vector, signature_vectors};

#[test]
fn every_vector_validates_as_expected() {
    for v in signature_vectors() {
        let validator = Validator::new(Secret::new(v.token.clone()), None);
        let payload = match &v.body {
            Some(body) => SignedPayload::Body(body.as_bytes()),
            None => SignedPayload::Form(&v.params),
        };
        let verdict = validator.validate(&v.url, payload, Some(&v.expected_signature));
        assert_eq!(verdict.is_ok(), v.valid, "vector {}: {verdict:?}", v.id);
    }
}

#[test]
fn every_valid_vector_is_computed_over_one_of_its_url_candidates() {
    for v in signature_vectors() {
        let computed: Vec<String> = signature::url_candidates(&v.url)
            .iter()
            .map(|url| signature::compute(&v.token, url, &v.params))
            .collect();
        assert_eq!(
            computed.contains(&v.expected_signature),
            v.valid,
            "vector {}: computed {computed:?}, expected {}",
            v.id,
            v.expected_signature
        );
    }
}

#[test]
fn the_canonical_example_is_computed_exactly() {
    let v = signature_vector("twilio-default");
    assert_eq!(
        signature::compute(&v.token, &v.url, &v.params),
        "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    );
}

#[test]
fn a_valid_signature_fails_under_another_token() {
    for v in signature_vectors().into_iter().filter(|v| v.valid) {
        let validator = Validator::new(Secret::new(format!("{}x", v.token)), None);
        let payload = match &v.body {
            Some(body) => SignedPayload::Body(body.as_bytes()),
            None => SignedPayload::Form(&v.params),
        };
        assert!(
            validator
                .validate(&v.url, payload, Some(&v.expected_signature))
                .is_err(),
            "{}",
            v.id
        );
    }
}

#[test]
fn a_trailing_slash_changes_the_signed_url() {
    let v = signature_vector("twilio-default");
    let validator = Validator::new(Secret::new(v.token.clone()), None);
    let url = v.url.replace("myapp.php", "myapp.php/");
    assert!(validator
        .validate(
            &url,
            SignedPayload::Form(&v.params),
            Some(&v.expected_signature)
        )
        .is_err());
}
