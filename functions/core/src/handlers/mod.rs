//! One module per route: plain async functions from a request to a response, callable from a
//! test without AWS. The route table ([`crate::routes`]) binds each to its path.

pub mod api_appointment_cancel;
pub mod api_appointment_reschedule;
pub mod api_appointments;
pub mod api_availability;
pub mod api_call;
pub mod api_calls;
pub mod call_status;
pub mod gather;
pub mod greeting;
pub mod handle_recording;
pub mod health;
pub mod inbox_appointment_cancel;
pub mod inbox_appointments;
pub mod inbox_call;
pub mod inbox_calls;
pub mod inbox_customer;
pub mod inbox_customer_block;
pub mod inbox_customer_call;
pub mod inbox_customer_reply;
pub mod inbox_customers;
pub mod inbox_handled;
pub mod inbox_login;
pub mod inbox_logout;
pub mod inbox_script;
pub mod inbox_search;
pub mod inbox_updates;
pub mod incoming_call;
pub mod meta_whatsapp;
pub mod outbound_call;
pub mod recording_status;
pub mod voice_booking;
pub mod whatsapp_incoming;
pub mod whatsapp_messages;
pub mod whatsapp_status;

use tracing::{error, warn};

use crate::app::App;
use crate::jobs::DeferredWrite;

/// Keeps a webhook's write the store could not take (`why`): on the `notify` queue as a
/// deferred write, applied when the store is back; only the queue down too loses it.
async fn defer(app: &App, write: DeferredWrite, why: &str) {
    let (deferred, lost) = match write {
        DeferredWrite::CallStatus(_) => ("call_status_deferred", "call_status_lost"),
        DeferredWrite::Message(_) => ("whatsapp_message_deferred", "whatsapp_message_lost"),
        DeferredWrite::MessageStatus(_) => ("whatsapp_status_deferred", "whatsapp_status_lost"),
    };
    let message = write.message();
    if app.send_or_park(&message).await {
        warn!(
            metric = deferred,
            dedup_id = message.dedup_id,
            error = why,
            "not stored; queued to apply when the store is back"
        );
    } else {
        error!(
            metric = lost,
            dedup_id = message.dedup_id,
            error = why,
            "neither stored nor queued"
        );
    }
}
