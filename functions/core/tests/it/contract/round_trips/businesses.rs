//! A business's settings as an operator writes them (names, spoken texts, the auto-reply,
//! webhook URLs, numbers), and the outbound calls a client asks for (what the callee hears,
//! Twilio's refusal), read back by id, by number, in the list and as the placement.

use std::sync::Arc;

use frontdesk::domain::{
    Business, BusinessId, Hears, PhoneNumber, Placement, PlacementId, PlacementState, Purpose,
    Requester, MAX_SAY_CHARS,
};
use frontdesk::store::Store;
use proptest::prelude::*;
use time::OffsetDateTime;

use super::calls::FORM_FIELD;
use super::{check, e164, fresh, text, Outcome, Stored};
use crate::contract::Backends;

/// A URL as an operator may paste it: a plausible one, or any text.
fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        "https://[a-z0-9.-]{1,40}(:[0-9]{1,5})?(/[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,30}){0,4}(\\?[A-Za-z0-9=&%-]{0,40})?",
        text(2048),
    ]
}

#[derive(Clone, Debug)]
pub struct Settings {
    name: String,
    numbers: Vec<String>,
    fallback_text: String,
    thanks_text: String,
    language: String,
    auto_reply: Option<String>,
    webhooks: (Option<String>, Option<String>, Option<String>),
    stream_url: Option<String>,
    calls_per_minute: u32,
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        (text(FORM_FIELD), prop::collection::vec(e164(), 0..4)),
        (text(FORM_FIELD), text(FORM_FIELD), text(40)),
        prop::option::of(text(FORM_FIELD)),
        (
            prop::option::of(url()),
            prop::option::of(url()),
            prop::option::of(url()),
        ),
        prop::option::of(url()),
        any::<u32>(),
    )
        .prop_map(
            |(
                (name, numbers),
                (fallback_text, thanks_text, language),
                auto_reply,
                webhooks,
                stream_url,
                calls_per_minute,
            )| Settings {
                name,
                numbers,
                fallback_text,
                thanks_text,
                language,
                auto_reply,
                webhooks,
                stream_url,
                calls_per_minute,
            },
        )
}

pub async fn every_business_setting_reads_back_by_id_by_number_and_in_the_list(b: &Backends) {
    check(b, settings(), business_round_trip).await;
}

async fn business_round_trip(store: Arc<dyn Store>, settings: Settings) -> Outcome {
    let id = BusinessId::parse(&format!("rt-biz-{}", fresh())).unwrap();
    let mut business = Business::new(id.clone(), &settings.name);
    // Numbers are made unique per case: two cases must not claim one number.
    let suffix = fresh();
    let mut numbers: Vec<PhoneNumber> = settings
        .numbers
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let digits = format!("{}{i}{suffix}", &n[1..]);
            PhoneNumber::parse(&format!("+{}", &digits[digits.len().saturating_sub(15)..]))
                .unwrap_or_else(|_| super::super::number())
        })
        .collect();
    numbers.dedup();
    business.phone_numbers = numbers;
    business.fallback_text = settings.fallback_text;
    business.thanks_text = settings.thanks_text;
    business.language = settings.language;
    business.whatsapp_auto_reply = settings.auto_reply;
    (
        business.generic_webhook_url,
        business.inbound_webhook_url,
        business.outbound_webhook_url,
    ) = settings.webhooks;
    business.stream_url = settings.stream_url;
    business.calls_per_minute = settings.calls_per_minute;
    store.put_business(&business).await.stored("business")?;

    let read = store.business(&id).await.stored("business")?;
    prop_assert_eq!(read.as_ref(), Some(&business));
    for number in &business.phone_numbers {
        let owner = store.business_by_number(number).await.stored("by number")?;
        prop_assert_eq!(owner.as_ref(), Some(&business), "{} routes to it", number);
    }
    let all = store.list_businesses().await.stored("businesses")?;
    prop_assert!(all.contains(&business), "the list holds it as stored");
    Ok(())
}

#[derive(Clone, Debug)]
pub enum Heard {
    Say(String, String),
    Bridge(String),
}

fn heard() -> impl Strategy<Value = Heard> {
    prop_oneof![
        (text(4 * MAX_SAY_CHARS), text(40)).prop_map(|(said, language)| {
            Heard::Say(said.chars().take(MAX_SAY_CHARS).collect(), language)
        }),
        e164().prop_map(Heard::Bridge),
    ]
}

/// Twilio's refusal of a call: its HTTP status, its error code and message.
type Refusal = (u16, Option<String>, String);

pub async fn every_call_a_client_can_place_reads_back_as_its_placement(b: &Backends) {
    let placement = (
        heard(),
        e164(),
        "[a-z0-9_-]{1,40}",
        prop::option::of((100u16..=599, prop::option::of(text(40)), text(FORM_FIELD))),
    );
    check(b, placement, placement_round_trip).await;
}

async fn placement_round_trip(
    store: Arc<dyn Store>,
    (heard, to, purpose, refused): (Heard, String, String, Option<Refusal>),
) -> Outcome {
    let business = BusinessId::parse(&format!("rt-place-{}", fresh())).unwrap();
    let hears = match heard {
        Heard::Say(text, language) => Hears::Say { text, language },
        Heard::Bridge(owner) => Hears::Bridge {
            owner: PhoneNumber::parse(&owner).unwrap(),
        },
    };
    let mut placement = Placement {
        id: PlacementId::derive(&business, &fresh()),
        business_id: business,
        to: PhoneNumber::parse(&to).unwrap(),
        from: PhoneNumber::parse("+97233334444").unwrap(),
        hears,
        purpose: Purpose::parse(&purpose).unwrap(),
        requested_by: Requester::api_key("0123456789abcdef"),
        created_at: OffsetDateTime::now_utc(),
        state: PlacementState::Pending,
    };
    let claimed = store.claim_placement(&placement).await.stored("claim")?;
    prop_assert_eq!(claimed, None, "a new placement is claimed");
    if let Some((http_status, code, message)) = refused {
        placement.state = PlacementState::Refused {
            http_status,
            code,
            message,
        };
        store.save_placement(&placement).await.stored("settle")?;
    }
    let read = store.placement(&placement.id).await.stored("placement")?;
    prop_assert_eq!(read, Some(placement));
    Ok(())
}
