//! `POST /inbox/logout` (form: `csrf`): ends the session and forgets the cookie.

use http::{header, StatusCode};

use crate::app::App;
use crate::http::response::{self, Response};
use crate::http::InboundRequest;
use crate::inbox::words::Words;
use crate::inbox::{self, cookie, pages, session};

pub async fn logout(app: &App, request: &InboundRequest) -> Response {
    let owner = match inbox::posted_form(app, request).await {
        Ok((owner, _)) => owner,
        Err(answer) => return answer,
    };
    if let Err(refusal) = session::sign_out(app, &owner).await {
        return inbox::refused(app, request, &refusal);
    }
    let mut answer = response::html(
        StatusCode::OK,
        pages::signed_out(Words::of(&owner.business)).into_string(),
    );
    answer.headers_mut().insert(
        header::SET_COOKIE,
        cookie::clear(&session::scope(app, request)),
    );
    answer
}
