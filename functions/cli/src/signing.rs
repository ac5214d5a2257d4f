//! `frontdesk sign` and `frontdesk verify`: X-Twilio-Signature from the command line, computed
//! and checked by the very code the webhooks run (`frontdesk::twilio::signature`), so a
//! signature this command accepts is one a deployed webhook accepts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use frontdesk::config::Secret;
use frontdesk::twilio::signature::{self, Match, Rejection, SignedPayload, Validator};
use serde_json::json;

/// Exit status of a command line that cannot run, the status clap gives its own usage errors.
const USAGE_ERROR: u8 = 2;

/// `frontdesk sign`: the X-Twilio-Signature Twilio sends for a URL and its parameters.
#[derive(Args, Debug)]
pub struct SignArgs {
    /// The exact URL Twilio requests: scheme, host, port, path and query, byte for byte.
    #[arg(long)]
    url: String,
    #[command(flatten)]
    payload: PayloadArgs,
    #[command(flatten)]
    token: TokenArg,
    /// Print {"url":…,"signature":…} (the URL actually signed) instead of the bare signature.
    #[arg(long)]
    json: bool,
}

/// `frontdesk verify`: checks a signature by the rules every Twilio webhook applies.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The exact URL Twilio requested: scheme, host, port, path and query, byte for byte.
    #[arg(long)]
    url: String,
    /// The X-Twilio-Signature header's value.
    #[arg(long, allow_hyphen_values = true)]
    signature: String,
    #[command(flatten)]
    payload: PayloadArgs,
    #[command(flatten)]
    token: TokenArg,
    /// The previous auth token, also accepted while a token rotation is under way.
    #[arg(
        long,
        env = "TWILIO_AUTH_TOKEN_PREVIOUS",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    previous_token: Option<String>,
    /// Print {"valid":…} with the rule that matched or the rejection reason, on stdout.
    #[arg(long)]
    json: bool,
}

/// What was signed besides the URL: form parameters or a JSON body, never both (Twilio signs
/// a JSON body's URL with no parameters).
#[derive(Args, Debug)]
pub struct PayloadArgs {
    /// A form parameter of the request, as KEY=VALUE (decoded, not percent-encoded). Repeat it
    /// for each parameter; a repeated key keeps every value.
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param, conflicts_with = "body")]
    params: Vec<(String, String)>,
    /// A file holding the raw JSON body: the URL is bound to it through its bodySHA256 query
    /// parameter.
    #[arg(long, value_name = "FILE")]
    body: Option<PathBuf>,
}

/// The Twilio auth token a signature is keyed with. Read from the environment when not given,
/// and never printed (not even by `--help`).
#[derive(Args, Debug)]
pub struct TokenArg {
    /// The Twilio auth token (the primary one: Twilio signs with it).
    #[arg(
        long = "token",
        env = "TWILIO_AUTH_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    token: Option<String>,
}

impl TokenArg {
    /// The token, or `None` when neither `--token` nor TWILIO_AUTH_TOKEN holds one.
    pub fn secret(&self) -> Option<Secret> {
        self.token.clone().and_then(Secret::new)
    }
}

/// Parses a `KEY=VALUE` command-line parameter; the value may be empty or contain `=`.
pub fn parse_param(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err("expected KEY=VALUE with a non-empty KEY".to_string()),
    }
}

/// Reports a command line that cannot run on one line and gives the usage exit status.
pub fn usage_error(message: &str) -> ExitCode {
    eprintln!("frontdesk: {message}");
    ExitCode::from(USAGE_ERROR)
}

/// The usage error of a command that signs or verifies without a token.
pub fn missing_token() -> ExitCode {
    usage_error("no Twilio auth token: pass --token or set TWILIO_AUTH_TOKEN")
}

fn read_body(path: &Path) -> Result<Vec<u8>, crate::CliError> {
    std::fs::read(path).map_err(|err| format!("cannot read {}: {err}", path.display()).into())
}

/// Prints the signature for `args`; the URL goes to stderr when `--body` changed it.
pub fn sign(args: &SignArgs) -> Result<ExitCode, crate::CliError> {
    let Some(token) = args.token.secret() else {
        return Ok(missing_token());
    };
    let (url, params) = match &args.payload.body {
        Some(path) => (
            signature::url_with_body_sha256(&args.url, &read_body(path)?),
            Vec::new(),
        ),
        None => (args.url.clone(), args.payload.params.clone()),
    };
    let signed = signature::compute(token.expose(), &url, &params);
    if args.json {
        println!("{}", json!({ "url": url, "signature": signed }));
    } else {
        if url != args.url {
            eprintln!("signed URL: {url}");
        }
        println!("{signed}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Validates `args.signature` as a webhook would: exit 0 when valid, 1 when not.
pub fn verify(args: &VerifyArgs) -> Result<ExitCode, crate::CliError> {
    let Some(token) = args.token.secret() else {
        return Ok(missing_token());
    };
    let previous = args.previous_token.clone().and_then(Secret::new);
    let body = args.payload.body.as_deref().map(read_body).transpose()?;
    let payload = match &body {
        Some(body) => SignedPayload::Body(body),
        None => SignedPayload::Form(&args.payload.params),
    };
    let verdict =
        Validator::new(Some(token), previous).validate(&args.url, payload, Some(&args.signature));
    report(&args.url, verdict, args.json);
    Ok(match verdict {
        Ok(_) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    })
}

/// Prints the verdict: JSON on stdout with `--json`, else one line on stderr.
fn report(url: &str, verdict: Result<Match, Rejection>, json: bool) {
    match (verdict, json) {
        (Ok(matched), true) => println!(
            "{}",
            json!({
                "valid": true,
                "url": matched_url(url, matched),
                "previous_token": matched.previous_token,
                "port_toggled": matched.port_toggled,
            })
        ),
        (Ok(matched), false) => eprintln!("valid: {}", describe(url, matched)),
        (Err(rejection), true) => println!(
            "{}",
            json!({ "valid": false, "reason": rejection.as_str() })
        ),
        (Err(rejection), false) => eprintln!("invalid: {}", rejection.as_str()),
    }
}

/// The URL candidate that matched: the URL as given, or its port-toggled twin.
fn matched_url(url: &str, matched: Match) -> String {
    let candidates = signature::url_candidates(url);
    let index = usize::from(matched.port_toggled).min(candidates.len() - 1);
    candidates[index].clone()
}

/// Which rule accepted the signature, in words.
fn describe(url: &str, matched: Match) -> String {
    let token = if matched.previous_token {
        "previous auth token"
    } else {
        "primary auth token"
    };
    if matched.port_toggled {
        format!("{token}, port-toggled URL {}", matched_url(url, matched))
    } else {
        format!("{token}, URL as given")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_param_splits_at_its_first_equals_sign() {
        assert_eq!(
            parse_param("Body=a=b"),
            Ok(("Body".to_string(), "a=b".to_string()))
        );
        assert_eq!(
            parse_param("Digits="),
            Ok(("Digits".to_string(), String::new()))
        );
    }

    #[test]
    fn a_param_without_equals_or_key_is_refused() {
        assert!(parse_param("CallSid").is_err());
        assert!(parse_param("=value").is_err());
    }

    #[test]
    fn a_port_toggled_match_names_the_url_that_matched() {
        let matched = Match {
            previous_token: true,
            port_toggled: true,
        };
        assert_eq!(
            describe("https://example.com/hook", matched),
            "previous auth token, port-toggled URL https://example.com:443/hook"
        );
    }
}
