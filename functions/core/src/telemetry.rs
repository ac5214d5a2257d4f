//! Logging: JSON lines on Lambda, readable lines locally ([`LogSettings`]). Every line of a
//! request carries its request id through the `request` span. Secrets never reach a log line: they are `config::Secret`, whose
//! formatting is redacted, and no code path logs a token.

use std::io::{self, IsTerminal};
use std::sync::{Arc, Mutex};

use tracing::level_filters::LevelFilter;
use tracing::Subscriber;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::{self, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Layer;

pub use crate::config::{LogFormat, LogSettings};

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

/// Installs the process-wide subscriber. Safe to call twice.
pub fn init(settings: &LogSettings) {
    let (format, level) = (settings.format, &settings.level);
    // stderr keeps stdout for program output (the serve banner, CLI results); Lambda collects both.
    let _ = tracing::subscriber::set_global_default(subscriber(format, level, io::stderr));
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
