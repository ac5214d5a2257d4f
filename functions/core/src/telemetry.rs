//! Logging: JSON lines on Lambda (honouring `AWS_LAMBDA_LOG_FORMAT` and `AWS_LAMBDA_LOG_LEVEL`),
//! readable lines locally. Every line of a request carries its request id through the
//! `request` span. Secrets never reach a log line: they are `config::Secret`, whose
//! formatting is redacted, and no code path logs a token.

use std::io::{self, IsTerminal};
use std::sync::{Arc, Mutex};

use tracing::level_filters::LevelFilter;
use tracing::Subscriber;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::{self, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Layer;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

/// The format and level the environment asks for.
///
/// On Lambda (`AWS_LAMBDA_FUNCTION_NAME` set): JSON unless `AWS_LAMBDA_LOG_FORMAT=Text`,
/// level from `AWS_LAMBDA_LOG_LEVEL`. Elsewhere: text unless `FRONTDESK_LOG_FORMAT=json`,
/// level from `RUST_LOG` (default `info`).
pub fn settings_from_env(lookup: impl Fn(&str) -> Option<String>) -> (LogFormat, String) {
    let on_lambda = lookup("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let format_var = if on_lambda {
        "AWS_LAMBDA_LOG_FORMAT"
    } else {
        "FRONTDESK_LOG_FORMAT"
    };
    let format = match lookup(format_var).map(|v| v.to_ascii_lowercase()) {
        Some(v) if v == "json" => LogFormat::Json,
        Some(v) if v == "text" => LogFormat::Text,
        _ if on_lambda => LogFormat::Json,
        _ => LogFormat::Text,
    };
    let level = if on_lambda {
        lookup("AWS_LAMBDA_LOG_LEVEL").map(|level| match level.to_ascii_lowercase().as_str() {
            "fatal" => "error".to_string(),
            other => other.to_string(),
        })
    } else {
        lookup("RUST_LOG")
    };
    (
        format,
        level
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "info".into()),
    )
}

/// A subscriber writing to `writer`; used by `init` and by tests that read the log.
pub fn subscriber<W>(
    format: LogFormat,
    filter: &str,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // `Targets` takes the usual `info,frontdesk=debug` directives without a regex engine.
    let filter: Targets = filter
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(LevelFilter::INFO));
    let registry = tracing_subscriber::registry();
    match format {
        LogFormat::Json => Box::new(
            registry.with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_target(false)
                    .with_writer(writer)
                    .with_filter(filter),
            ),
        ),
        LogFormat::Text => Box::new(
            registry.with(
                fmt::layer()
                    .compact()
                    .with_target(false)
                    .with_ansi(io::stderr().is_terminal())
                    .with_writer(writer)
                    .with_filter(filter),
            ),
        ),
    }
}

/// Installs the process-wide subscriber from the environment. Safe to call twice.
pub fn init() {
    let (format, level) = settings_from_env(|name| std::env::var(name).ok());
    // stderr keeps stdout for program output (the serve banner, CLI results); Lambda collects both.
    let _ = tracing::subscriber::set_global_default(subscriber(format, &level, io::stderr));
}

/// A log sink for tests: everything written, as a string.
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log capture poisoned")).into_owned()
    }
}

impl io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .expect("log capture poisoned")
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> (LogFormat, String) {
        let vars: HashMap<_, _> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        settings_from_env(|k| vars.get(k).cloned())
    }

    #[test]
    fn lambda_defaults_to_json_and_honours_its_variables() {
        assert_eq!(
            settings(&[("AWS_LAMBDA_FUNCTION_NAME", "f")]),
            (LogFormat::Json, "info".into())
        );
        assert_eq!(
            settings(&[
                ("AWS_LAMBDA_FUNCTION_NAME", "f"),
                ("AWS_LAMBDA_LOG_FORMAT", "Text"),
                ("AWS_LAMBDA_LOG_LEVEL", "DEBUG")
            ]),
            (LogFormat::Text, "debug".into())
        );
        assert_eq!(
            settings(&[
                ("AWS_LAMBDA_FUNCTION_NAME", "f"),
                ("AWS_LAMBDA_LOG_LEVEL", "FATAL")
            ])
            .1,
            "error"
        );
    }

    #[test]
    fn local_defaults_to_text() {
        assert_eq!(settings(&[]), (LogFormat::Text, "info".into()));
        assert_eq!(
            settings(&[("FRONTDESK_LOG_FORMAT", "json")]).0,
            LogFormat::Json
        );
    }

    #[test]
    fn json_lines_carry_the_request_span_fields() {
        let capture = LogCapture::default();
        let subscriber = subscriber(LogFormat::Json, "info", capture.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", request_id = "req-42");
            let _entered = span.enter();
            tracing::info!(status = 204, "request handled");
        });
        let line = capture.contents();
        let json: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(json["span"]["request_id"], "req-42");
        assert_eq!(json["status"], 204);
        assert_eq!(json["message"], "request handled");
    }
}
