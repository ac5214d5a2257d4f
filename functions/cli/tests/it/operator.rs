//! A working local Frontdesk for the operator tools to look at: `frontdesk serve`'s routes on
//! the embedded store, a business's webhook receiver, and Twilio's REST API stand-in.

use std::collections::HashMap;

use frontdesk::app::Backends;
use frontdesk::domain::{Business, BusinessId, PhoneNumber};
use frontdesk::{App, Route};
use frontdesk_cli::deployment::{Deployment, Settings, TargetArgs};
use frontdesk_testkit::standins::hook_receiver::Receiver;
use frontdesk_testkit::standins::twilio_rest::TwilioApi;

pub const ACCOUNT_SID: &str = "AC00000000000000000000000000000001";
pub const AUTH_TOKEN: &str = "twilio-test-token";
pub const NUMBER: &str = "+972533334444";

/// `frontdesk serve`'s router on `data_dir`, on a free local port. Returns its base URL.
pub async fn serve(data_dir: &std::path::Path) -> String {
    let data = data_dir.to_string_lossy().to_string();
    let config = frontdesk_testkit::config::from_vars(
        &[
            ("FRONTDESK_DATA_DIR", &data),
            ("TWILIO_AUTH_TOKEN", AUTH_TOKEN),
        ],
        "local",
    );
    let app = App::new(config, Backends::embedded(data_dir).unwrap());
    frontdesk_testkit::serve::router(app).await
}

/// The environment of a fully configured deployment, for [`Settings::from_lookup`].
pub fn healthy_environment(twilio: &TwilioApi) -> HashMap<&'static str, String> {
    HashMap::from([
        ("TWILIO_AUTH_TOKEN", AUTH_TOKEN.to_string()),
        ("TWILIO_ACCOUNT_SID", ACCOUNT_SID.to_string()),
        ("TWILIO_API_BASE_URL", twilio.base_url().to_string()),
        ("TRANSCRIBE_API_BASE", "https://api.openai.com".to_string()),
        ("TRANSCRIBE_API_KEY", "sk-test".to_string()),
        ("META_APP_SECRET", "meta-secret".to_string()),
        ("META_VERIFY_TOKEN", "meta-verify".to_string()),
    ])
}

/// A local Frontdesk with one business set up as the README says: a number, a webhook URL
/// and its secret, a greeting, and the Twilio number pointing at the deployment.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub receiver: Receiver,
    pub twilio: TwilioApi,
    pub deployment: Deployment,
    pub business: BusinessId,
}

pub fn target(data_dir: &std::path::Path, base_url: &str) -> TargetArgs {
    TargetArgs {
        stack: None,
        table: None,
        bucket: None,
        notify_queue_url: None,
        region: None,
        endpoint_url: None,
        base_url: Some(base_url.to_string()),
        data_dir: data_dir.to_path_buf(),
    }
}

impl Fixture {
    pub async fn healthy() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let base_url = serve(dir.path()).await;
        let receiver = Receiver::start().await;
        let twilio = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
        twilio.add_number(
            NUMBER,
            Some(&format!("{base_url}{}", Route::IncomingCall.path())),
            Some(&format!("{base_url}{}", Route::CallStatus.path())),
            Some(&format!("{base_url}{}", Route::WhatsAppIncoming.path())),
        );
        let mut deployment = target(dir.path(), &base_url).open().await.unwrap();
        let environment = healthy_environment(&twilio);
        deployment.settings =
            Settings::from_lookup("the test", |name| environment.get(name).cloned());

        let business = BusinessId::parse("acme").unwrap();
        let mut acme = Business::new(business.clone(), "Acme Dental");
        acme.phone_numbers = vec![PhoneNumber::parse(NUMBER).unwrap()];
        acme.generic_webhook_url = Some(receiver.url.clone());
        deployment.store.put_business(&acme).await.unwrap();
        let secret = frontdesk::worker::signing::generate_secret().unwrap();
        deployment
            .store
            .put_webhook_secret(&business, &secret)
            .await
            .unwrap();
        let mp3 = frontdesk_testkit::fixtures::demo_greeting_path();
        frontdesk_cli::greeting::run(
            &deployment,
            frontdesk_cli::greeting::GreetingCommand::Upload {
                business: business.to_string(),
                file: mp3,
                quiet: true,
                json: false,
            },
            &mut Vec::new(),
        )
        .await
        .unwrap();
        Self {
            dir,
            receiver,
            twilio,
            deployment,
            business,
        }
    }

    pub async fn business(&self) -> Business {
        self.deployment
            .store
            .business(&self.business)
            .await
            .unwrap()
            .unwrap()
    }

    /// Stores `edit`ed settings directly, as a hand edit of the table would.
    pub async fn edit(&self, edit: impl FnOnce(&mut Business)) {
        let mut business = self.business().await;
        edit(&mut business);
        self.deployment.store.put_business(&business).await.unwrap();
    }

    pub fn set_environment(&mut self, edit: impl FnOnce(&mut HashMap<&'static str, String>)) {
        let mut environment = healthy_environment(&self.twilio);
        edit(&mut environment);
        self.deployment.settings =
            Settings::from_lookup("the test", |name| environment.get(name).cloned());
    }
}
