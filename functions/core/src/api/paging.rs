//! Paging for every listing of the JSON API: an opaque cursor (the store's position, base64url)
//! and a bounded page size.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::http::FormParams;

/// A page's `next_cursor`: the store's position, opaque to the client.
pub fn encode_cursor(position: Option<String>) -> Option<String> {
    position.map(|p| URL_SAFE_NO_PAD.encode(p))
}

/// The query's `cursor` back to the store's position, or why it is not one this API gave.
pub fn cursor(params: &FormParams) -> Result<Option<String>, String> {
    params
        .non_empty("cursor")
        .map(|c| {
            URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .filter(|position| position.contains('#'))
                .ok_or_else(|| "cursor is not one this API gave".to_string())
        })
        .transpose()
}

/// The query's `limit`, `default` when absent, within `1..=max`.
pub fn limit(params: &FormParams, default: usize, max: usize) -> Result<usize, String> {
    match params.non_empty("limit") {
        None => Ok(default),
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or(format!("limit must be 1 to {max}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        let position = "2026-11-21T10:00:00Z#CA1".to_string();
        let encoded = encode_cursor(Some(position.clone())).unwrap();
        let params = crate::http::form::parse(format!("cursor={encoded}").as_bytes()).unwrap();
        assert_eq!(cursor(&params).unwrap(), Some(position));
        for bad in ["cursor=%25%25", "cursor=bm9wZQ"] {
            let params = crate::http::form::parse(bad.as_bytes()).unwrap();
            assert!(cursor(&params).is_err(), "{bad}");
        }
        let params = crate::http::form::parse(b"limit=0").unwrap();
        assert!(limit(&params, 5, 10).is_err());
        let params = crate::http::form::parse(b"").unwrap();
        assert_eq!(limit(&params, 5, 10).unwrap(), 5);
    }
}
