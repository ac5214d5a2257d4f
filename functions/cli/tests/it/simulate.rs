//! `frontdesk simulate` against the real `frontdesk serve` binary, loaded with the repository's
//! seed (the demo clinic): every simulated webhook passes the signature check and gets the
//! answer Twilio or Meta would get.

use std::path::Path;
use std::process::{Command, Output};

use frontdesk::Route;
use frontdesk_testkit::fixtures;
use frontdesk_testkit::serve::ServeProcess;

use crate::FRONTDESK;

const TOKEN: &str = "simulate-test-auth-token";
const APP_SECRET: &str = "simulate-test-meta-app-secret";

/// A `frontdesk serve` process on the demo seed, with its data folder.
struct Server {
    process: ServeProcess,
    _data: tempfile::TempDir,
}

impl Server {
    fn start() -> Self {
        let data = tempfile::tempdir().unwrap();
        let seed = fixtures::seed_businesses().display().to_string();
        let process = ServeProcess::start(
            Path::new(FRONTDESK),
            data.path(),
            Some(&seed),
            &[
                ("TWILIO_AUTH_TOKEN", TOKEN),
                ("META_APP_SECRET", APP_SECRET),
                ("RUST_LOG", "warn"),
            ],
        );
        Self {
            process,
            _data: data,
        }
    }

    /// `frontdesk simulate EVENT --base <this server> ARGS...`, with no secrets in the environment.
    fn simulate(&self, event: &str, args: &[&str]) -> Output {
        Command::new(FRONTDESK)
            .args(["simulate", event, "--base", &self.process.base])
            .args(args)
            .env_clear()
            .output()
            .expect("frontdesk simulate runs")
    }

    /// The printed answer of a `--json` simulation.
    fn simulate_json(&self, event: &str, args: &[&str]) -> (Output, serde_json::Value) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let output = self.simulate(event, &all);
        let answer = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
            panic!(
                "{event}: not JSON ({err}): {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (output, answer)
    }
}

#[test]
fn simulated_call_with_the_right_token_gets_greeting_twiml() {
    let server = Server::start();
    let (output, answer) = server.simulate_json("call", &["--token", TOKEN]);
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(output.status.code(), Some(0));
    assert!(answer["headers"]["content-type"]
        .as_str()
        .unwrap()
        .starts_with("text/xml"));
    let twiml = answer["body"].as_str().unwrap();
    assert!(
        twiml.contains("<Play>"),
        "the demo clinic's greeting: {twiml}"
    );
    assert!(twiml.contains("<Record"), "{twiml}");
}

#[test]
fn simulated_call_with_a_wrong_token_is_refused_403_and_exits_1() {
    let server = Server::start();
    let (output, answer) = server.simulate_json("call", &["--token", "not-the-token"]);
    assert_eq!(answer["status"], 403, "{answer}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn simulated_call_prints_status_headers_and_body_as_http_text() {
    let server = Server::start();
    let output = server.simulate("call", &["--token", TOKEN, "--call-sid", "CAsimulated1"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\n"), "{text}");
    assert!(text.contains("\ncontent-type: text/xml"), "{text}");
    assert!(text.contains("\n\n<?xml"), "{text}");
    let request_line = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        request_line.trim_end(),
        format!("POST {}{}", server.process.base, Route::IncomingCall.path())
    );
}

#[test]
fn simulated_recording_is_thanked_with_twiml() {
    let server = Server::start();
    let (output, answer) = server.simulate_json("recording", &["--token", TOKEN]);
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        answer["body"].as_str().unwrap().contains("<Say"),
        "{answer}"
    );
}

#[test]
fn simulated_recording_status_gets_204() {
    let server = Server::start();
    let (output, answer) = server.simulate_json("recording-status", &["--token", TOKEN]);
    assert_eq!(answer["status"], 204, "{answer}");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn simulated_call_status_gets_204() {
    let server = Server::start();
    let call = ["--token", TOKEN, "--call-sid", "CAsimulatedstatus"];
    let (_, ringing) = server.simulate_json("call", &call);
    assert_eq!(ringing["status"], 200, "{ringing}");
    let mut completed = call.to_vec();
    completed.extend(["--status", "completed"]);
    let (output, answer) = server.simulate_json("status", &completed);
    assert_eq!(answer["status"], 204, "{answer}");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_param_replaces_a_default_parameter_and_stays_signed() {
    let server = Server::start();
    // 400, not 403: the handler read the override, and the signature covered it.
    let (output, answer) = server.simulate_json(
        "status",
        &["--token", TOKEN, "--param", "CallStatus=on-fire"],
    );
    assert_eq!(answer["status"], 400, "{answer}");
    assert!(answer["body"].as_str().unwrap().contains("on-fire"));
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn simulated_whatsapp_message_gets_the_demo_clinics_auto_reply() {
    let server = Server::start();
    let (output, answer) = server.simulate_json("whatsapp", &["--token", TOKEN]);
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        answer["body"].as_str().unwrap().contains("<Message>"),
        "{answer}"
    );
}

#[test]
fn simulated_whatsapp_status_gets_204() {
    let server = Server::start();
    let (output, answer) =
        server.simulate_json("whatsapp-status", &["--token", TOKEN, "--status", "read"]);
    assert_eq!(answer["status"], 204, "{answer}");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn simulated_meta_notification_with_the_app_secret_gets_200() {
    let server = Server::start();
    let (output, answer) = server.simulate_json("meta", &["--app-secret", APP_SECRET]);
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(answer["body"], "ok");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn simulated_meta_notification_with_a_wrong_app_secret_gets_403() {
    let server = Server::start();
    let (output, answer) = server.simulate_json("meta", &["--app-secret", "wrong"]);
    assert_eq!(answer["status"], 403, "{answer}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn simulate_without_a_secret_is_a_usage_error_and_sends_nothing() {
    // Port 9 (discard) is never a Frontdesk: a request would fail, not answer.
    let base = ["--base", "http://127.0.0.1:9"];
    for (event, message) in [
        (
            "call",
            "frontdesk: no Twilio auth token: pass --token or set TWILIO_AUTH_TOKEN",
        ),
        (
            "meta",
            "frontdesk: no Meta app secret: pass --app-secret or set META_APP_SECRET",
        ),
    ] {
        let output = Command::new(FRONTDESK)
            .args(["simulate", event])
            .args(base)
            .env_clear()
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{event}");
        assert_eq!(
            String::from_utf8(output.stderr).unwrap().trim_end(),
            message
        );
        assert!(output.stdout.is_empty());
    }
}
