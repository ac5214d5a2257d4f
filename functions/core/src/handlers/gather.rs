//! `POST /webhook/gather`: the digits a caller keyed for a verification code (note 003).

use tracing::{error, info, warn};

use crate::app::App;
use crate::domain::business::{DEFAULT_LANGUAGE, DEFAULT_THANKS_TEXT};
use crate::http::{InboundRequest, Response};
use crate::jobs::NotifyJob;
use crate::voice::{self, VOICE_DEADLINE};

pub async fn gather(app: &App, request: &InboundRequest) -> Response {
    let (form, call_sid) = match voice::verify_call(app, request) {
        Ok(verified) => verified,
        Err(rejected) => return rejected.into_response(),
    };
    let digits = form.non_empty("Digits").unwrap_or_default().to_string();
    let work = async {
        let business = voice::find_business(app, &form).await.ok().flatten();
        if digits.is_empty() {
            warn!("gather action without digits");
        } else {
            // The code is what the business asked to receive (note 003 forwards it to a log).
            info!(digits, business = ?business.as_ref().map(|b| b.id.as_str()), "verification code received");
            if let Err(err) = app.store().store_gathered_digits(&call_sid, &digits).await {
                error!(metric = "gather_lost", error = %err, digits, "verification code not stored");
            }
            let job = NotifyJob::verification_code(
                call_sid.clone(),
                business.as_ref().map(|b| b.id.clone()),
                digits.clone(),
            );
            app.send_or_park(&job.message()).await;
        }
        business.map(|b| (b.thanks_text, b.language))
    };
    let (text, language) = match tokio::time::timeout(VOICE_DEADLINE, work).await {
        Ok(Some(words)) => words,
        Ok(None) => (
            DEFAULT_THANKS_TEXT.to_string(),
            DEFAULT_LANGUAGE.to_string(),
        ),
        Err(_) => {
            error!(
                metric = "gather_lost",
                digits, "store too slow; verification code not stored"
            );
            (
                DEFAULT_THANKS_TEXT.to_string(),
                DEFAULT_LANGUAGE.to_string(),
            )
        }
    };
    voice::thanks(&text, &language)
}
