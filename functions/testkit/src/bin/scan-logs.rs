//! `scan-logs DIR`: fails (exit 1) when a log line the suite wrote (`FRONTDESK_TEST_LOG_DIR`)
//! holds a secret the tests use, or a secret by its shape (a `whsec_` webhook secret, an
//! `fdk_` API key, a Basic or Bearer credential, an inbox session cookie). Prints each offending
//! file and line number with the secret itself masked.

use std::process::ExitCode;

fn shapes(line: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let words = line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    for word in words {
        if word.starts_with("whsec_") && word.len() > 12 {
            found.push("a webhook secret (whsec_…)");
        }
        if word.starts_with("fdk_") && word.len() > 20 {
            found.push("an API key (fdk_…)");
        }
    }
    for (marker, what) in [
        ("Basic ", "a Basic credential"),
        ("Bearer ", "a Bearer credential"),
        ("frontdesk_inbox=", "an inbox session cookie"),
    ] {
        // A credential follows its marker: a word of eight or more token characters.
        let follows = line.match_indices(marker).any(|(at, _)| {
            line[at + marker.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "+/=._-".contains(*c))
                .count()
                >= 8
        });
        if follows {
            found.push(what);
        }
    }
    found
}

/// `line` with every secret and every credential after a marker or prefix replaced by `***`.
fn masked(line: &str, secrets: &[&str]) -> String {
    let mut shown = line.to_string();
    for secret in secrets {
        shown = shown.replace(secret, "***");
    }
    let token = |c: char| c.is_ascii_alphanumeric() || "+/=._-".contains(c);
    for marker in ["Basic ", "Bearer ", "frontdesk_inbox=", "whsec_", "fdk_"] {
        let mut out = String::with_capacity(shown.len());
        let mut rest = shown.as_str();
        while let Some(at) = rest.find(marker) {
            out.push_str(&rest[..at + marker.len()]);
            rest = rest[at + marker.len()..].trim_start_matches(token);
            out.push_str("***");
        }
        out.push_str(rest);
        shown = out;
    }
    shown
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: scan-logs DIR");
        return ExitCode::from(2);
    };
    let secrets = frontdesk_testkit::logs::secrets();
    let (mut files, mut lines, mut bad) = (0, 0, 0);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(err) => {
            eprintln!("scan-logs: {dir}: {err}");
            return ExitCode::from(2);
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        files += 1;
        for (n, line) in text.lines().enumerate() {
            lines += 1;
            let mut found: Vec<&str> = secrets
                .iter()
                .filter(|secret| line.contains(*secret))
                .map(|_| "a configured test secret")
                .collect();
            found.extend(shapes(line));
            if !found.is_empty() {
                bad += 1;
                let shown: String = masked(line, &secrets).chars().take(300).collect();
                println!(
                    "{}:{}: {}: {shown}",
                    path.display(),
                    n + 1,
                    found.join(", ")
                );
            }
        }
    }
    println!("scan-logs: {lines} log lines in {files} files, {bad} with a secret");
    if bad > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
