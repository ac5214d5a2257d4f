//! How logs are written: JSON lines on Lambda, readable lines locally.

use super::env::Env;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A `tracing` filter such as `info,frontdesk=debug`.
    pub level: String,
}

impl LogSettings {
    /// The process environment's (logging starts before the rest of the settings are read, so
    /// a settings error is logged too).
    pub fn from_env() -> Self {
        Self::read(&Env::new(&super::env::process_lookup))
    }

    /// On Lambda (`AWS_LAMBDA_FUNCTION_NAME` set): JSON unless `AWS_LAMBDA_LOG_FORMAT=Text`,
    /// level from `AWS_LAMBDA_LOG_LEVEL`. Elsewhere: text unless `FRONTDESK_LOG_FORMAT=json`,
    /// level from `RUST_LOG` (default `info`).
    pub fn read(env: &Env) -> Self {
        let on_lambda = env.raw("AWS_LAMBDA_FUNCTION_NAME").is_some();
        let format_var = if on_lambda {
            "AWS_LAMBDA_LOG_FORMAT"
        } else {
            "FRONTDESK_LOG_FORMAT"
        };
        let format = match env.raw(format_var).map(|v| v.to_ascii_lowercase()) {
            Some(v) if v == "json" => LogFormat::Json,
            Some(v) if v == "text" => LogFormat::Text,
            _ if on_lambda => LogFormat::Json,
            _ => LogFormat::Text,
        };
        let level = if on_lambda {
            env.raw("AWS_LAMBDA_LOG_LEVEL")
                .map(|level| match level.to_ascii_lowercase().as_str() {
                    "fatal" => "error".to_string(),
                    other => other.to_string(),
                })
        } else {
            env.raw("RUST_LOG")
        };
        Self {
            format,
            level: level
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| "info".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> (LogFormat, String) {
        let lookup = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        let s = LogSettings::read(&Env::new(&lookup));
        (s.format, s.level)
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
}
