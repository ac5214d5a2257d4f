//! The README's smoke lines, as a newcomer runs them: every `curl` line of each "Smoke test"
//! block, copied out of README.md and run by bash and curl against the real `frontdesk serve`
//! (with the demo seed), each answer checked against the line's own `# …` comment. A README
//! line that stops working (a `+` curl turns into a space, a renamed route) fails here.

use std::path::Path;
use std::process::Command;

use frontdesk_testkit::fixtures;
use frontdesk_testkit::serve::ServeProcess;

use super::FRONTDESK;

/// Every `curl` line in the README's "### Smoke test" blocks, with its heading.
fn smoke_lines(readme: &str) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    let mut heading = None;
    let mut in_block = false;
    for line in readme.lines() {
        if let Some(title) = line.strip_prefix("### ") {
            heading = title.starts_with("Smoke test").then(|| title.to_string());
            continue;
        }
        if line.starts_with("```") {
            in_block = !in_block && heading.is_some();
            continue;
        }
        if let (true, Some(heading)) = (in_block, &heading) {
            if line.starts_with("curl ") {
                lines.push((heading.clone(), line.to_string()));
            }
        }
    }
    lines
}

/// The command and what its comment promises (`# 204`, `# 200 TwiML: …`).
fn split_comment(line: &str) -> (&str, &str) {
    let at = line
        .rfind(" # ")
        .unwrap_or_else(|| panic!("a smoke line says what it answers in a `# …` comment: {line}"));
    (line[..at].trim_end(), line[at + 3..].trim())
}

/// Checks `output` (curl's stdout) against the promise, or says why it falls short.
fn keeps_promise(promise: &str, output: &str) -> Result<(), String> {
    let fail = |why: &str| Err(format!("{why}; curl printed:\n{output}"));
    let body = output.trim();
    if promise == "ok" || promise == "204" || promise == "42" {
        return if body == promise {
            Ok(())
        } else {
            fail(&format!("expected `{promise}`"))
        };
    }
    if let Some(reason) = promise.strip_prefix("400 ") {
        return if body.contains(reason) {
            Ok(())
        } else {
            fail("expected the 400's reason")
        };
    }
    if promise == "200 ok" {
        return if body == "ok" {
            Ok(())
        } else {
            fail("expected `ok`")
        };
    }
    if promise == "200 audio/mpeg" {
        let head = body.to_ascii_lowercase();
        return if head.starts_with("http/1.1 200") && head.contains("content-type: audio/mpeg") {
            Ok(())
        } else {
            fail("expected 200 with audio/mpeg")
        };
    }
    if promise.starts_with("200 TwiML") {
        if !(body.starts_with("<?xml") && body.contains("<Response>")) {
            return fail("expected a TwiML document");
        }
        if promise.contains("greeting") && !body.contains("/greetings/demo.mp3</Play>") {
            return fail("expected <Play> of the demo clinic's greeting");
        }
        if promise.contains("auto-reply") && !body.contains("<Message>") {
            return fail("expected the demo clinic's auto-reply <Message>");
        }
        return Ok(());
    }
    Err(format!(
        "no check for `# {promise}`: teach readme_smoke.rs what it means"
    ))
}

#[test]
fn every_readme_smoke_line_answers_as_its_comment_says() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let lines = smoke_lines(&readme);
    assert!(
        lines.len() >= 10,
        "the README's voice and WhatsApp smoke blocks: found {lines:?}"
    );
    let data = tempfile::tempdir().unwrap();
    let seed = fixtures::seed_businesses().display().to_string();
    // The blocks' own environment: the local stage with unsigned requests allowed.
    let server = ServeProcess::start(
        Path::new(FRONTDESK),
        data.path(),
        Some(&seed),
        &[
            ("FRONTDESK_SIGNATURE_POLICY", "off"),
            ("META_VERIFY_TOKEN", "local-verify"),
            ("RUST_LOG", "warn"),
        ],
    );
    let mut broken = Vec::new();
    for (heading, line) in &lines {
        let (command, promise) = split_comment(line);
        let output = Command::new("bash")
            .args(["-c", command])
            .env("HOST", &server.base)
            .output()
            .expect("bash and curl run");
        let stdout = String::from_utf8_lossy(&output.stdout);
        if let Err(why) = keeps_promise(promise, &stdout) {
            broken.push(format!("{heading}:\n  {command}\n  {why}"));
        }
    }
    assert!(
        broken.is_empty(),
        "README smoke lines that do not work:\n{}",
        broken.join("\n")
    );
}

#[test]
fn an_unencoded_plus_would_have_missed_the_demo_clinic() {
    // What the README's voice line guards against: curl's `-d To=+972…` arrives as a space.
    assert!(keeps_promise(
        "200 TwiML: <Play> the demo clinic's greeting",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>שלום</Say><Record/></Response>"
    )
    .is_err());
    assert!(keeps_promise("204", "200").is_err());
    assert!(keeps_promise("something new", "").is_err());
}
