//! `frontdesk sign` and `frontdesk verify`, run as the real binary: they agree with every vector
//! copied from Twilio's own SDK suites, exactly as the webhooks' validator does.

use std::path::Path;
use std::process::{Command, Output};

use frontdesk::twilio::signature;
use frontdesk::Route;
use frontdesk_testkit::vectors::{signature_vector, signature_vectors, SignatureVector};

use crate::FRONTDESK;

/// `frontdesk` with `args`, in an environment holding no token unless the test sets one.
fn frontdesk(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(FRONTDESK)
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("frontdesk binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// `--param k=v` for every pair, or `--body FILE` (written under `dir`) for a JSON body.
fn payload_args(v: &SignatureVector, dir: &Path) -> Vec<String> {
    match &v.body {
        Some(body) => {
            let path = dir.join(format!("{}.json", v.id));
            std::fs::write(&path, body).unwrap();
            vec!["--body".into(), path.display().to_string()]
        }
        None => v
            .params
            .iter()
            .flat_map(|(k, val)| ["--param".to_string(), format!("{k}={val}")])
            .collect(),
    }
}

fn run(args: &[String], env: &[(&str, &str)]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    frontdesk(&args, env)
}

#[test]
fn verify_agrees_with_every_signature_vector() {
    let dir = tempfile::tempdir().unwrap();
    for v in signature_vectors() {
        let mut args: Vec<String> = vec![
            "verify".into(),
            "--json".into(),
            "--url".into(),
            v.url.clone(),
            "--signature".into(),
            v.expected_signature.clone(),
            "--token".into(),
            v.token.clone(),
        ];
        args.extend(payload_args(&v, dir.path()));
        let output = run(&args, &[]);
        let expected_code = if v.valid { 0 } else { 1 };
        assert_eq!(
            output.status.code(),
            Some(expected_code),
            "vector {}: {}{}",
            v.id,
            stdout(&output),
            stderr(&output)
        );
        let verdict: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(verdict["valid"], v.valid, "vector {}: {verdict}", v.id);
    }
}

#[test]
fn sign_reproduces_a_vectors_signature_exactly_when_the_vector_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    for v in signature_vectors() {
        let signed: Vec<String> = signature::url_candidates(&v.url)
            .into_iter()
            .map(|url| {
                let mut args: Vec<String> = vec![
                    "sign".into(),
                    "--url".into(),
                    url,
                    "--token".into(),
                    v.token.clone(),
                ];
                args.extend(payload_args(&v, dir.path()));
                let output = run(&args, &[]);
                assert!(output.status.success(), "{}: {}", v.id, stderr(&output));
                stdout(&output).trim_end().to_string()
            })
            .collect();
        assert_eq!(
            signed.contains(&v.expected_signature),
            v.valid,
            "vector {}: signed {signed:?}, expected {}",
            v.id,
            v.expected_signature
        );
    }
}

#[test]
fn the_canonical_example_is_signed_for_the_url_as_given() {
    let v = signature_vector("twilio-default");
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec![
        "sign".into(),
        "--json".into(),
        "--url".into(),
        v.url.clone(),
    ];
    args.extend(payload_args(&v, dir.path()));
    let output = run(&args, &[("TWILIO_AUTH_TOKEN", &v.token)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed["url"], v.url.as_str());
    assert_eq!(printed["signature"], "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

#[test]
fn a_tampered_param_fails_verification_with_exit_1() {
    let v = signature_vector("twilio-default");
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec![
        "verify".into(),
        "--url".into(),
        v.url.clone(),
        "--signature".into(),
        v.expected_signature.clone(),
    ];
    args.extend(payload_args(&v, dir.path()));
    let env = [("TWILIO_AUTH_TOKEN", v.token.as_str())];
    assert_eq!(run(&args, &env).status.code(), Some(0), "untampered");
    let tampered: Vec<String> = args
        .iter()
        .map(|a| a.replace("Digits=1234", "Digits=1235"))
        .collect();
    assert_ne!(tampered, args);
    let output = run(&tampered, &env);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output).trim_end(),
        "invalid: signature does not match"
    );
}

#[test]
fn sign_and_verify_without_a_token_are_usage_errors_naming_the_variable() {
    for command in [
        vec!["sign", "--url", "https://example.com/hook"],
        vec![
            "verify",
            "--url",
            "https://example.com/hook",
            "--signature",
            "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
        ],
    ] {
        let output = frontdesk(&command, &[]);
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        assert!(output.stdout.is_empty());
        assert_eq!(
            stderr(&output).trim_end(),
            "frontdesk: no Twilio auth token: pass --token or set TWILIO_AUTH_TOKEN"
        );
    }
}

#[test]
fn the_token_from_the_environment_is_never_printed_even_by_help() {
    let token = "secret-token-value-4242";
    let env = [("TWILIO_AUTH_TOKEN", token)];
    let signed = frontdesk(&["sign", "--url", "https://example.com/hook"], &env);
    assert!(signed.status.success());
    for args in [
        vec!["sign", "--help"],
        vec!["verify", "--help"],
        vec!["simulate", "call", "--help"],
    ] {
        let output = frontdesk(&args, &env);
        assert!(output.status.success(), "{args:?}");
        assert!(stdout(&output).contains("TWILIO_AUTH_TOKEN"), "{args:?}");
        assert!(
            !stdout(&output).contains(token),
            "{args:?} printed the token"
        );
    }
    assert!(!stdout(&signed).contains(token) && !stderr(&signed).contains(token));
}

#[test]
fn the_previous_token_is_accepted_during_rotation() {
    let url = format!("https://example.com{}", Route::IncomingCall.path());
    let url = url.as_str();
    let old = frontdesk(
        &[
            "sign",
            "--url",
            url,
            "--param",
            "CallSid=CA1",
            "--token",
            "old",
        ],
        &[],
    );
    let old_signature = stdout(&old).trim_end().to_string();
    let verify = [
        "verify",
        "--json",
        "--url",
        url,
        "--param",
        "CallSid=CA1",
        "--signature",
        &old_signature,
        "--token",
        "new",
    ];
    let rejected = frontdesk(&verify, &[]);
    assert_eq!(rejected.status.code(), Some(1));
    let accepted = frontdesk(&verify, &[("TWILIO_AUTH_TOKEN_PREVIOUS", "old")]);
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    let verdict: serde_json::Value = serde_json::from_str(&stdout(&accepted)).unwrap();
    assert_eq!(verdict["previous_token"], true);
    assert_eq!(verdict["port_toggled"], false);
}

#[test]
fn a_json_body_is_signed_through_body_sha256_and_verified_against_the_body() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(&body, br#"{"event":"call.completed"}"#).unwrap();
    let body = body.display().to_string();
    let url = "https://example.com/hook?a=1";
    let env = [("TWILIO_AUTH_TOKEN", "t")];
    let signed = frontdesk(&["sign", "--url", url, "--body", &body], &env);
    assert!(signed.status.success());
    let signed_url = stderr(&signed)
        .trim_end()
        .strip_prefix("signed URL: ")
        .expect("the changed URL is printed")
        .to_string();
    assert!(signed_url.starts_with("https://example.com/hook?a=1&bodySHA256="));
    let signature = stdout(&signed).trim_end().to_string();

    let verify = |url: &str, body: &str| {
        frontdesk(
            &[
                "verify",
                "--url",
                url,
                "--body",
                body,
                "--signature",
                &signature,
            ],
            &env,
        )
    };
    let accepted = verify(&signed_url, &body);
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    assert_eq!(
        stderr(&accepted).trim_end(),
        "valid: primary auth token, URL as given"
    );

    let other = dir.path().join("other.json");
    std::fs::write(&other, br#"{"event":"call.started"}"#).unwrap();
    let rejected = verify(&signed_url, &other.display().to_string());
    assert_eq!(rejected.status.code(), Some(1));
    assert_eq!(
        stderr(&rejected).trim_end(),
        "invalid: bodySHA256 does not match the body"
    );
}

#[test]
fn a_param_without_equals_or_with_a_json_body_is_a_usage_error() {
    let env = [("TWILIO_AUTH_TOKEN", "t")];
    let no_equals = frontdesk(
        &[
            "sign",
            "--url",
            "https://example.com/",
            "--param",
            "CallSid",
        ],
        &env,
    );
    assert_eq!(no_equals.status.code(), Some(2));
    assert!(stderr(&no_equals).contains("expected KEY=VALUE"));
    let both = frontdesk(
        &[
            "sign",
            "--url",
            "https://example.com/",
            "--param",
            "a=b",
            "--body",
            "body.json",
        ],
        &env,
    );
    assert_eq!(both.status.code(), Some(2));
}
