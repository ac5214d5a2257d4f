//! What the callee hears: the TwiML `/webhook/outbound_call` answers when Twilio connects a
//! placed call. Twilio asks for it with the placement's id in the URL (`?placement=`), so the
//! answer is known before the CallSid is stored. A new kind of call is a new [`Hears`] variant
//! and its arm here. A reminder's words come from the appointment, which this module does not
//! read: the route passes them in ([`reminder`]); its `<Gather>` posts the key pressed back to
//! the same route.

use crate::domain::{Hears, Placement};
use crate::twilio::twiml::{Dial, Gather, GatherInput, Method, Prompt, Say, VoiceResponse};

/// How long a bridge rings the customer once the owner has answered.
pub const BRIDGE_RING_SECONDS: u32 = 30;

/// How long a reminder waits for 1 or 2 after it is said.
pub const REMINDER_ANSWER_SECONDS: u32 = 8;

/// The TwiML for `placement`'s callee. A reminder's is [`reminder`], with its words.
pub fn twiml(placement: &Placement) -> VoiceResponse {
    match &placement.hears {
        Hears::Say { text, language } => VoiceResponse::new()
            .say(Say::new(text.as_str()).language(language.as_str()))
            .hangup(),
        // The owner answered: ring the customer, showing the business's number.
        Hears::Bridge { .. } => VoiceResponse::new().dial(Dial {
            caller_id: Some(placement.from.as_str().to_string()),
            timeout: Some(BRIDGE_RING_SECONDS),
            ..Dial::number(placement.to.as_str())
        }),
        Hears::Reminder { .. } => unknown(),
    }
}

/// A reminder's TwiML: `text` said inside a `<Gather>` for one key that posts to `action` (a
/// key may cut it short); nothing pressed: goodbye.
pub fn reminder(text: &str, language: &str, action: &str) -> VoiceResponse {
    VoiceResponse::new()
        .gather(Gather {
            input: vec![GatherInput::Dtmf],
            action: Some(action.to_string()),
            method: Some(Method::Post),
            timeout: Some(REMINDER_ANSWER_SECONDS),
            num_digits: Some(1),
            prompts: vec![Prompt::Say(Say::new(text).language(language))],
            ..Gather::default()
        })
        .hangup()
}

/// What a reminder's callee hears after pressing a key: `text`, then goodbye.
pub fn answered(text: &str, language: &str) -> VoiceResponse {
    VoiceResponse::new()
        .say(Say::new(text).language(language))
        .hangup()
}

/// The answer for a placement Frontdesk does not know (a forged or expired id): hang up.
pub fn unknown() -> VoiceResponse {
    VoiceResponse::new().hangup()
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;
    use crate::domain::{
        AppointmentId, BusinessId, PhoneNumber, PlacementId, PlacementState, Purpose, Requester,
    };

    const ACTION: &str = "https://x.test/webhook/outbound_call?placement=p1";

    fn placement(hears: Hears) -> Placement {
        let business = BusinessId::parse("acme").unwrap();
        Placement {
            id: PlacementId::derive(&business, "api:k"),
            business_id: business,
            to: PhoneNumber::parse("+972501234567").unwrap(),
            from: PhoneNumber::parse("+15550001111").unwrap(),
            hears,
            purpose: Purpose::callback(),
            requested_by: Requester::cli(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            state: PlacementState::Pending,
        }
    }

    #[test]
    fn a_message_is_said_in_the_business_language_and_the_call_ends() {
        let xml = twiml(&placement(Hears::Say {
            text: "Your table is ready <now> & waiting".into(),
            language: "he-IL".into(),
        }))
        .to_xml();
        assert!(xml.ends_with(
            "<Response><Say language=\"he-IL\">Your table is ready &lt;now&gt; &amp; waiting</Say><Hangup/></Response>"
        ), "{xml}");
    }

    #[test]
    fn a_bridge_dials_the_customer_from_the_business_number() {
        let xml = twiml(&placement(Hears::Bridge {
            owner: PhoneNumber::parse("+972541111111").unwrap(),
        }))
        .to_xml();
        assert!(xml.ends_with(
            "<Response><Dial timeout=\"30\" callerId=\"+15550001111\">+972501234567</Dial></Response>"
        ), "{xml}");
    }

    #[test]
    fn a_reminder_is_said_inside_a_gather_for_one_key_posted_back_to_the_route() {
        let xml = reminder(
            "תזכורת לתור. לאישור הקישו 1, לביטול הקישו 2.",
            "he-IL",
            ACTION,
        )
        .to_xml();
        assert!(xml.ends_with(
            "<Response><Gather input=\"dtmf\" action=\"https://x.test/webhook/outbound_call?placement=p1\" \
             method=\"POST\" timeout=\"8\" numDigits=\"1\"><Say language=\"he-IL\">תזכורת לתור. \
             לאישור הקישו 1, לביטול הקישו 2.</Say></Gather><Hangup/></Response>"
        ), "{xml}");
        let placed = placement(Hears::Reminder {
            language: "he-IL".into(),
            appointment: AppointmentId::generate(),
        });
        assert_eq!(
            twiml(&placed).to_xml(),
            unknown().to_xml(),
            "never without its words"
        );
    }
}
