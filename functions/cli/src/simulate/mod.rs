//! `frontdesk simulate`: sends one webhook, signed exactly as Twilio or Meta signs it, to a
//! local (`frontdesk serve`) or deployed Frontdesk, and prints the answer. The parameters are
//! the ones Twilio and Meta send for each event, so the handlers see what they see live.
//!
//! [`SimulateArgs`] are the events and their flags; `params` holds what Twilio and Meta send
//! for each, and `send` signs, sends and prints.

use std::process::ExitCode;

use frontdesk::Route;

use crate::signing::usage_error;

mod events;
mod params;
mod send;

pub use events::SimulateArgs;

use events::{Event, Target};
use params::{
    call_status_params, meta_notification, pair, recording_params, recording_status_params,
    turn_params, voice_params, whatsapp_params, whatsapp_status_params,
};
use send::{meta_request, print_answer, send, Outgoing};

/// Sends the event and prints the answer: exit 0 for a 2xx answer, 1 otherwise.
pub async fn run(args: SimulateArgs) -> Result<ExitCode, crate::CliError> {
    let (target, outgoing) = match prepare(args.event) {
        Ok(prepared) => prepared,
        Err(usage) => return Ok(usage),
    };
    eprintln!("POST {}", outgoing.url);
    let answer = send(outgoing).await?;
    print_answer(&answer, target.json)?;
    Ok(if answer.status.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The request for `event`, or the usage error's exit status when a secret is missing.
fn prepare(event: Event) -> Result<(Target, Outgoing), ExitCode> {
    match event {
        Event::Call {
            twilio,
            parties,
            call,
        } => {
            let form = voice_params(&parties, &call, "ringing");
            twilio.form(Route::IncomingCall.path(), form)
        }
        Event::Booking {
            twilio,
            parties,
            call,
            turn,
        } => {
            let mut form = voice_params(&parties, &call, "in-progress");
            form.extend(turn_params(&turn));
            let query = frontdesk::phone::Turn {
                step: turn.step,
                greeting: turn.greeting,
            }
            .query();
            twilio.form(&format!("{}?{query}", Route::VoiceBooking.path()), form)
        }
        Event::Recording {
            twilio,
            parties,
            call,
            recording,
        } => {
            let mut form = voice_params(&parties, &call, "in-progress");
            form.extend(recording_params(&recording));
            // The usual end of a voicemail: the caller hangs up after the message.
            form.push(pair("Digits", "hangup"));
            twilio.form(Route::HandleRecording.path(), form)
        }
        Event::RecordingStatus {
            twilio,
            call,
            recording,
            status,
        } => {
            let form = recording_status_params(&call, &recording, &status);
            twilio.form(Route::RecordingStatus.path(), form)
        }
        Event::Status {
            twilio,
            parties,
            call,
            status,
        } => twilio.form(
            Route::CallStatus.path(),
            call_status_params(&parties, &call, &status),
        ),
        Event::Whatsapp {
            twilio,
            parties,
            message,
            body,
        } => {
            let form = whatsapp_params(&parties, &message, &body);
            twilio.form(Route::WhatsAppIncoming.path(), form)
        }
        Event::WhatsappStatus {
            twilio,
            parties,
            message,
            status,
        } => {
            let form = whatsapp_status_params(&parties, &message, &status);
            twilio.form(Route::WhatsAppStatus.path(), form)
        }
        Event::Meta {
            target,
            parties,
            message,
            body,
            phone_number_id,
            app_secret,
        } => {
            let Some(secret) = app_secret.filter(|s| !s.is_empty()) else {
                return Err(usage_error(
                    "no Meta app secret: pass --app-secret or set META_APP_SECRET",
                ));
            };
            let notification = meta_notification(&parties, &message, &body, &phone_number_id);
            let outgoing = meta_request(&target, &secret, &notification);
            Ok((target, outgoing))
        }
    }
}
