//! `GET /inbox/app.js`: the inbox's one script (the calls list's live updates). The pages work
//! without it.

use crate::app::App;
use crate::http::response::{self, Response};
use crate::http::InboundRequest;

pub const SCRIPT: &str = include_str!("../inbox/app.js");

pub async fn script(_app: &App, _request: &InboundRequest) -> Response {
    response::script(SCRIPT)
}
