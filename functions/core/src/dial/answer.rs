//! What the callee hears: the TwiML `/webhook/outbound_call` answers when Twilio connects a
//! placed call. Twilio asks for it with the placement's id in the URL (`?placement=`), so the
//! answer is known before the CallSid is stored. A new kind of call (a reminder that takes 1 or
//! 2, say) is a new [`Hears`] variant and its arm here.

use crate::domain::{Hears, Placement};
use crate::twilio::twiml::{Dial, Say, VoiceResponse};

/// How long a bridge rings the customer once the owner has answered.
pub const BRIDGE_RING_SECONDS: u32 = 30;

/// The TwiML for `placement`'s callee.
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
    }
}

/// The answer for a placement Frontdesk does not know (a forged or expired id): hang up.
pub fn unknown() -> VoiceResponse {
    VoiceResponse::new().hangup()
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;
    use crate::domain::{BusinessId, PhoneNumber, PlacementId, PlacementState, Purpose, Requester};

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
}
