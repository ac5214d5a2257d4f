//! Configuration for tests, read only from the pairs given (never the process environment).

use frontdesk::Config;

/// The Twilio auth token test servers are configured with and sign with.
pub const TEST_TOKEN: &str = "test-auth-token-0123456789abcdef";

/// A lookup that answers exactly `vars`.
pub fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// Configuration from exactly `vars`, in `stage` unless `FRONTDESK_STAGE` is among them.
pub fn from_vars(vars: &[(&str, &str)], stage: &str) -> Config {
    Config::from_lookup(lookup(vars), stage).expect("test configuration is valid")
}

/// Configuration from `vars` in the `test` stage, with [`TEST_TOKEN`] as the auth token unless
/// `vars` set one.
pub fn config(vars: &[(&str, &str)]) -> Config {
    let mut vars = vars.to_vec();
    if !vars.iter().any(|(k, _)| *k == "TWILIO_AUTH_TOKEN") {
        vars.push(("TWILIO_AUTH_TOKEN", TEST_TOKEN));
    }
    from_vars(&vars, "test")
}
