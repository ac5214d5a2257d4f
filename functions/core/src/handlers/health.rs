//! `GET /health`: liveness for load balancers, uptime checks and the notes' smoke list.

use crate::app::App;
use crate::http::{response, InboundRequest, Response};

pub async fn health(_app: &App, _request: &InboundRequest) -> Response {
    response::text("ok")
}
