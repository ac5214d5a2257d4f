use super::*;
use crate::domain::BusinessId;

fn business() -> Business {
    let mut business = Business::new(BusinessId::parse("acme").unwrap(), "Acme");
    business.phone_numbers = vec![PhoneNumber::parse("+15550001111").unwrap()];
    business.language = "en-US".into();
    business
}

fn request(to: &str, script: Script) -> DialRequest {
    DialRequest {
        to: PhoneNumber::parse(to).unwrap(),
        purpose: Purpose::callback(),
        script,
        requested_by: Requester::cli(),
        request_key: Some("api:k1".into()),
        max_wait: Duration::ZERO,
    }
}

fn reason(result: Result<Placement, DialError>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn a_message_is_placed_from_the_first_number_in_the_business_language() {
    let placement = placement(
        &business(),
        &request("+972501234567", Script::Say(" Hi ".into())),
    )
    .unwrap();
    assert_eq!(placement.from.as_str(), "+15550001111");
    assert_eq!(placement.dialled().as_str(), "+972501234567");
    assert_eq!(
        placement.hears,
        Hears::Say {
            text: "Hi".into(),
            language: "en-US".into()
        }
    );
    assert_eq!(placement.state, PlacementState::Pending);
    assert_eq!(
        placement.id,
        PlacementId::derive(&business().id, "api:k1"),
        "the id is the business's and the key's"
    );
}

#[test]
fn a_bridge_rings_the_owner_first() {
    let mut business = business();
    business.owner_phone = Some(PhoneNumber::parse("+972541111111").unwrap());
    let placement = placement(&business, &request("+972501234567", Script::Bridge)).unwrap();
    assert_eq!(placement.dialled().as_str(), "+972541111111");
    assert_eq!(placement.to.as_str(), "+972501234567");
}

#[test]
fn calls_the_business_cannot_place_are_refused_with_their_reason() {
    assert!(reason(placement(
        &business(),
        &request("+15550001111", Script::Say("x".into()))
    ))
    .contains("the business's own number"));
    assert!(reason(placement(
        &business(),
        &request("+972501234567", Script::Say("  ".into()))
    ))
    .contains("`say` is empty"));
    let long = "a".repeat(MAX_SAY_CHARS + 1);
    assert!(reason(placement(
        &business(),
        &request("+972501234567", Script::Say(long))
    ))
    .contains("over 1000 characters"));
    assert!(matches!(
        placement(&business(), &request("+972501234567", Script::Bridge)),
        Err(DialError::NoOwnerPhone)
    ));
    let mut numberless = business();
    numberless.phone_numbers.clear();
    assert!(matches!(
        placement(
            &numberless,
            &request("+972501234567", Script::Say("x".into()))
        ),
        Err(DialError::NoNumber)
    ));
    let mut owner_is_callee = business();
    owner_is_callee.owner_phone = Some(PhoneNumber::parse("+972501234567").unwrap());
    assert!(reason(placement(
        &owner_is_callee,
        &request("+972501234567", Script::Bridge)
    ))
    .contains("owner's own phone"));
}

#[test]
fn a_retry_gets_the_first_call_its_refusal_or_pending_and_another_request_is_refused() {
    let asked = placement(
        &business(),
        &request("+972501234567", Script::Say("Hi".into())),
    )
    .unwrap();
    let sid = CallSid::parse("CA0123456789abcdef0123456789abcdef").unwrap();
    let placed = Placement {
        state: PlacementState::Placed {
            call_sid: sid.clone(),
            status: CallStatus::Queued,
        },
        ..asked.clone()
    };
    let dialled = replay(placed, &asked).unwrap();
    assert!(dialled.replayed);
    assert_eq!(dialled.call_sid, sid);

    let refused = Placement {
        state: PlacementState::Refused {
            http_status: 400,
            code: Some("21211".into()),
            message: "Invalid 'To' Phone Number".into(),
        },
        ..asked.clone()
    };
    let err = replay(refused, &asked).unwrap_err().to_string();
    assert!(
        err.contains("code 21211") && err.contains("Invalid 'To'"),
        "{err}"
    );

    assert!(matches!(
        replay(asked.clone(), &asked),
        Err(DialError::Pending)
    ));
    let other = placement(
        &business(),
        &request("+972509999999", Script::Say("Hi".into())),
    )
    .unwrap();
    assert!(matches!(replay(asked, &other), Err(DialError::KeyReused)));
}
