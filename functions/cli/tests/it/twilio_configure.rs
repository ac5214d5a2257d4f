//! `frontdesk twilio configure BUSINESS` against a stand-in for Twilio's REST API: it shows
//! what would change, writes only with `--yes`, points every number at the stack's webhooks,
//! and says clearly when a number or the credentials are wrong.

use frontdesk::config::{PublicBaseUrl, Secret};
use frontdesk::domain::{Business, BusinessId, PhoneNumber};
use frontdesk::Route;
use frontdesk_cli::configure::{configure, ConfigureReport};
use frontdesk_cli::twilio_rest::{NumberUrls, TwilioRest, TwilioRestError};
use frontdesk_testkit::standins::twilio_rest::TwilioApi;

const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN: &str = "auth-token-0123456789";
const STACK: &str = "https://abc.execute-api.eu-west-1.amazonaws.com/prod";
const MAIN_LINE: &str = "+972501234567";
const SECOND_LINE: &str = "+972537654321";

fn business(numbers: &[&str]) -> Business {
    let mut business = Business::new(BusinessId::parse("acme").unwrap(), "Acme Dental");
    business.phone_numbers = numbers
        .iter()
        .map(|n| PhoneNumber::parse(n).unwrap())
        .collect();
    business
}

fn stack_urls() -> NumberUrls {
    NumberUrls::for_stack(&PublicBaseUrl::parse(STACK).unwrap())
}

fn client(api: &TwilioApi, token: &str) -> TwilioRest {
    TwilioRest::new(api.base_url(), ACCOUNT_SID, Secret::new(token).unwrap())
}

/// Runs `configure` and returns its report and printed lines.
async fn run(
    api: &TwilioApi,
    business: &Business,
    apply: bool,
) -> (Result<ConfigureReport, TwilioRestError>, String) {
    let mut out = Vec::new();
    let result = configure(
        &client(api, AUTH_TOKEN),
        business,
        &stack_urls(),
        apply,
        &mut out,
    )
    .await;
    (result, String::from_utf8(out).unwrap())
}

fn add_old_number(api: &TwilioApi, phone: &str) -> String {
    api.add_number(
        phone,
        Some("https://old.example.com/voice"),
        None,
        Some("https://old.example.com/sms"),
    )
}

fn add_stack_number(api: &TwilioApi, phone: &str) -> String {
    let urls = stack_urls();
    api.add_number(
        phone,
        Some(&urls.voice_url),
        Some(&urls.status_callback),
        Some(&urls.sms_url),
    )
}

#[tokio::test]
async fn configure_without_yes_prints_the_change_and_applies_nothing() {
    let api = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let sid = add_old_number(&api, MAIN_LINE);
    let before = api.number(MAIN_LINE).unwrap();

    let (report, out) = run(&api, &business(&[MAIN_LINE]), false).await;
    let report = report.unwrap();

    assert_eq!(
        report,
        ConfigureReport {
            changed: vec![MAIN_LINE.into()],
            unchanged: vec![],
            missing: vec![],
            applied: false,
        }
    );
    let label = format!("{MAIN_LINE} ({sid})");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        vec![
            format!(
                "{label}: voice URL: https://old.example.com/voice → {STACK}{}",
                Route::IncomingCall.path()
            ),
            format!(
                "{label}: status callback: (unset) → {STACK}{}",
                Route::CallStatus.path()
            ),
            format!(
                "{label}: SMS URL: https://old.example.com/sms → {STACK}{}",
                Route::WhatsAppIncoming.path()
            ),
            "Run again with --yes to apply.".to_string(),
        ]
    );
    assert!(api.updates().is_empty(), "{:?}", api.updates());
    assert_eq!(api.number(MAIN_LINE).unwrap(), before);
}

#[tokio::test]
async fn configure_with_yes_points_every_number_at_the_stack() {
    let api = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let main_sid = add_old_number(&api, MAIN_LINE);
    let second_sid = api.add_number(SECOND_LINE, None, None, None);
    api.edit_number(SECOND_LINE, |n| n.voice_method = "GET".into());
    let business = business(&[MAIN_LINE, SECOND_LINE]);

    let (report, out) = run(&api, &business, true).await;
    let report = report.unwrap();

    assert_eq!(report.changed, vec![MAIN_LINE, SECOND_LINE]);
    assert!(report.applied && report.is_success());
    assert!(
        out.contains(&format!("{MAIN_LINE} ({main_sid}): updated")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{SECOND_LINE} ({second_sid}): voice method: GET → POST"
        )),
        "{out}"
    );
    assert!(!out.contains("--yes"), "{out}");

    let urls = stack_urls();
    for phone in [MAIN_LINE, SECOND_LINE] {
        let number = api.number(phone).unwrap();
        assert_eq!(number.voice_url.as_deref(), Some(urls.voice_url.as_str()));
        assert_eq!(
            number.status_callback.as_deref(),
            Some(urls.status_callback.as_str())
        );
        assert_eq!(number.sms_url.as_deref(), Some(urls.sms_url.as_str()));
        assert_eq!(
            [
                number.voice_method,
                number.status_callback_method,
                number.sms_method
            ],
            ["POST", "POST", "POST"]
        );
    }
    let updates = api.updates();
    assert_eq!(
        updates
            .iter()
            .map(|u| (u.sid.as_str(), u.status))
            .collect::<Vec<_>>(),
        vec![(main_sid.as_str(), 200), (second_sid.as_str(), 200)]
    );
    assert_eq!(
        updates[0].field("StatusCallback"),
        Some(format!("{STACK}{}", Route::CallStatus.path()).as_str())
    );

    // A second run finds nothing left to do.
    let (again, _) = run(&api, &business, false).await;
    assert_eq!(again.unwrap().unchanged, vec![MAIN_LINE, SECOND_LINE]);
    assert_eq!(api.updates().len(), 2);
}

#[tokio::test]
async fn configure_reports_a_number_the_account_does_not_hold() {
    let api = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
    add_old_number(&api, MAIN_LINE);

    let (report, out) = run(&api, &business(&[SECOND_LINE, MAIN_LINE]), true).await;
    let report = report.unwrap();

    assert_eq!(report.missing, vec![SECOND_LINE]);
    assert!(!report.is_success());
    // The number the account does hold is still configured.
    assert_eq!(report.changed, vec![MAIN_LINE]);
    assert_eq!(api.updates().len(), 1);
    assert!(
        out.contains(&format!(
            "{SECOND_LINE}: not a number of Twilio account {ACCOUNT_SID}"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "1 of acme's numbers is not on Twilio account {ACCOUNT_SID}."
        )),
        "{out}"
    );
}

#[tokio::test]
async fn a_number_that_only_contains_the_business_number_is_not_taken_for_it() {
    // Twilio's PhoneNumber filter matches partial numbers: asking for +97250123456 also lists
    // +972501234567.
    let api = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
    add_old_number(&api, MAIN_LINE);
    let shorter = "+97250123456";

    let (report, _) = run(&api, &business(&[shorter]), true).await;

    assert_eq!(report.unwrap().missing, vec![shorter]);
    assert!(api.updates().is_empty());
}

#[tokio::test]
async fn wrong_credentials_are_refused_with_a_clear_reason() {
    let api = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
    add_old_number(&api, MAIN_LINE);
    let wrong_token = "not-the-auth-token";
    let mut out = Vec::new();

    let err = configure(
        &client(&api, wrong_token),
        &business(&[MAIN_LINE]),
        &stack_urls(),
        true,
        &mut out,
    )
    .await
    .unwrap_err();

    assert!(matches!(
        err,
        TwilioRestError::Unauthorized { status: 401, .. }
    ));
    let message = err.to_string();
    assert!(
        message.contains("check TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN"),
        "{message}"
    );
    assert!(message.contains(ACCOUNT_SID), "{message}");
    assert!(!message.contains('\n'), "{message}");
    let printed = String::from_utf8(out).unwrap();
    assert!(
        !message.contains(wrong_token) && !printed.contains(wrong_token),
        "the token never shows: {message} / {printed}"
    );
    assert!(api.updates().is_empty());
}

#[tokio::test]
async fn numbers_already_pointing_at_the_stack_are_left_alone() {
    let api = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let sid = add_stack_number(&api, MAIN_LINE);

    let (report, out) = run(&api, &business(&[MAIN_LINE]), true).await;

    assert_eq!(report.unwrap().unchanged, vec![MAIN_LINE]);
    assert_eq!(
        out.trim_end(),
        format!("{MAIN_LINE} ({sid}): already points at the stack")
    );
    assert!(api.updates().is_empty());
}

#[tokio::test]
async fn twilio_refusals_carry_twilios_code_and_message() {
    let api = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
    add_old_number(&api, MAIN_LINE);
    let twilio = client(&api, AUTH_TOKEN);
    let number = twilio
        .find_number(&PhoneNumber::parse(MAIN_LINE).unwrap())
        .await
        .unwrap()
        .unwrap();
    // The lookup succeeded; the update is refused.
    api.fail_next(400, 21502, "Invalid Url");
    let err = twilio
        .update_number(&number.sid, &stack_urls())
        .await
        .unwrap_err();

    assert_eq!(
        err.to_string(),
        "Twilio refused the request (HTTP 400, code 21502): Invalid Url"
    );
    assert_eq!(api.updates()[0].status, 400);
}

#[tokio::test]
async fn updating_a_number_the_account_does_not_hold_is_not_found() {
    let api = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;

    let err = client(&api, AUTH_TOKEN)
        .update_number("PN00000000000000000000000000000099", &stack_urls())
        .await
        .unwrap_err();

    assert!(matches!(err, TwilioRestError::NotFound { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("PN00000000000000000000000000000099"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_twilio_is_a_transport_error() {
    // Bind and drop a listener: nothing answers on its port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let twilio = TwilioRest::new(
        &format!("http://127.0.0.1:{port}"),
        ACCOUNT_SID,
        Secret::new(AUTH_TOKEN).unwrap(),
    );

    let err = twilio
        .find_number(&PhoneNumber::parse(MAIN_LINE).unwrap())
        .await
        .unwrap_err();

    assert!(matches!(err, TwilioRestError::Transport(_)), "{err}");
    assert!(err.to_string().starts_with("Twilio unreachable: "), "{err}");
}

#[tokio::test]
async fn the_stand_in_refuses_what_twilio_would_refuse() {
    // Other tests trust the stand-in's checks; these show it makes them.
    let api = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let sid = add_old_number(&api, MAIN_LINE);
    let http = frontdesk::tls::https_client_builder().build().unwrap();
    let update_url = format!(
        "{}/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers/{sid}.json",
        api.base_url()
    );
    let post = |body: &'static str| {
        http.post(&update_url)
            .basic_auth(ACCOUNT_SID, Some(AUTH_TOKEN))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };

    let unknown = post("VoiceURL=https%3A%2F%2Fx.example.com").await.unwrap();
    assert_eq!(unknown.status(), 400);
    let body: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(body["code"], 20001);
    assert_eq!(post("VoiceMethod=GET").await.unwrap().status(), 400);

    let unauthenticated = http.post(&update_url).send().await.unwrap();
    assert_eq!(unauthenticated.status(), 401);
    let body: serde_json::Value = unauthenticated.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401})
    );

    let other_account = http
        .get(format!(
            "{}/2010-04-01/Accounts/ACsomeoneelse/IncomingPhoneNumbers.json",
            api.base_url()
        ))
        .basic_auth(ACCOUNT_SID, Some(AUTH_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(other_account.status(), 404);

    assert_eq!(api.updates().len(), 3, "refused updates are recorded too");
    assert_eq!(
        api.number(MAIN_LINE).unwrap().voice_url.as_deref(),
        Some("https://old.example.com/voice")
    );
}
