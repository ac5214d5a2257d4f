//! Duplicates and order: Twilio retries webhooks and they race, so every webhook of hundreds of
//! generated calls and WhatsApp messages is delivered one to three times, all of them shuffled
//! together (a seeded, reproducible order), and the final state must be the state one in-order
//! delivery leaves: each call's status, parties, duration, recording and transcription, one
//! transcription job per recording, each message's final status. On the embedded store and on
//! DynamoDB + SQS (moto).

use std::collections::BTreeMap;

use frontdesk::domain::{Business, BusinessId, CallSid, MessageId, PhoneNumber};
use frontdesk::Route;
use frontdesk_testkit::TestServer;

const CLINIC: &str = "+97233338888";

/// A small, seeded generator (xorshift64*): the same seed, the same order, on any machine.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One webhook: its route and form.
#[derive(Clone, Debug)]
struct Hook {
    path: &'static str,
    form: Vec<(&'static str, String)>,
}

fn calls_and_messages(calls: u64, messages: u64) -> Vec<Vec<Hook>> {
    let mut all = Vec::new();
    for n in 1..=calls {
        let sid = format!("CA{n:032x}");
        let recording = format!("RE{n:032x}");
        let base = |status: &str| {
            vec![
                ("CallSid", sid.clone()),
                ("From", format!("+97252{n:07}")),
                ("To", CLINIC.to_string()),
                ("Direction", "inbound".to_string()),
                ("CallStatus", status.to_string()),
            ]
        };
        let with_recording = |mut form: Vec<(&'static str, String)>| {
            form.extend([
                ("RecordingSid", recording.clone()),
                (
                    "RecordingUrl",
                    format!(
                        "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/{recording}"
                    ),
                ),
                ("RecordingDuration", "9".to_string()),
            ]);
            form
        };
        let status = |status: &str, sequence: u32| {
            let mut form = base(status);
            form.push(("SequenceNumber", sequence.to_string()));
            if status == "completed" {
                form.push(("CallDuration", "31".to_string()));
            }
            form
        };
        // In Twilio's order: the call rings, is answered, records, ends.
        all.push(vec![
            Hook {
                path: Route::IncomingCall.path(),
                form: base("ringing"),
            },
            Hook {
                path: Route::CallStatus.path(),
                form: status("in-progress", 1),
            },
            Hook {
                path: Route::HandleRecording.path(),
                form: with_recording(base("in-progress")),
            },
            Hook {
                path: Route::RecordingStatus.path(),
                form: {
                    let mut form = with_recording(base("in-progress"));
                    form.push(("RecordingStatus", "completed".to_string()));
                    form
                },
            },
            Hook {
                path: Route::CallStatus.path(),
                form: status("completed", 2),
            },
        ]);
    }
    for n in 1..=messages {
        let inbound = vec![
            ("MessageSid", format!("SM{n:032x}")),
            ("From", format!("whatsapp:+97253{n:07}")),
            ("To", format!("whatsapp:{CLINIC}")),
            ("Body", format!("הודעה {n}")),
            ("NumMedia", "0".to_string()),
        ];
        let outbound = |status: &str| {
            vec![
                ("MessageSid", format!("SM{:032x}", n + (1 << 40))),
                ("From", format!("whatsapp:{CLINIC}")),
                ("To", format!("whatsapp:+97253{n:07}")),
                ("MessageStatus", status.to_string()),
            ]
        };
        all.push(vec![
            Hook {
                path: Route::WhatsAppIncoming.path(),
                form: inbound,
            },
            Hook {
                path: Route::WhatsAppStatus.path(),
                form: outbound("sent"),
            },
            Hook {
                path: Route::WhatsAppStatus.path(),
                form: outbound("delivered"),
            },
            Hook {
                path: Route::WhatsAppStatus.path(),
                form: outbound("read"),
            },
        ]);
    }
    all
}

/// Every webhook one to three times, everything shuffled.
fn retried_and_shuffled(all: &[Vec<Hook>], seed: u64) -> Vec<Hook> {
    let mut rng = Seeded(seed);
    let mut hooks: Vec<Hook> = all
        .iter()
        .flatten()
        .flat_map(|hook| std::iter::repeat_n(hook.clone(), 1 + rng.below(3)))
        .collect();
    for i in (1..hooks.len()).rev() {
        hooks.swap(i, rng.below(i + 1));
    }
    hooks
}

async fn server(on_aws: bool) -> TestServer {
    let server = if on_aws {
        TestServer::start_aws(&[]).await
    } else {
        TestServer::start(&[]).await
    };
    let mut business = Business::new(BusinessId::parse("order").unwrap(), "Order Test");
    business.phone_numbers = vec![PhoneNumber::parse(CLINIC).unwrap()];
    business.calls_per_minute = 1_000;
    server.app.store().put_business(&business).await.unwrap();
    server
}

/// The state the test compares, as text: every call's and message's fields that delivery
/// decides, and the transcription jobs.
async fn state(server: &TestServer, calls: u64, messages: u64) -> BTreeMap<String, String> {
    let store = server.app.store();
    let mut state = BTreeMap::new();
    for n in 1..=calls {
        let sid = CallSid::parse(&format!("CA{n:032x}")).unwrap();
        let call = store.call(&sid).await.unwrap().expect("every call stored");
        state.insert(
            format!("call {n}"),
            format!(
                "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                call.status.as_str(),
                call.direction,
                call.from,
                call.to,
                call.duration_seconds,
                call.recording.map(|r| r.sid.to_string()),
                call.recording_status,
                call.transcription,
            ),
        );
    }
    for n in 1..=messages {
        for (what, sid) in [("in", n), ("out", n + (1 << 40))] {
            let id = MessageId::parse(&format!("SM{sid:032x}")).unwrap();
            let message = store
                .message(&id)
                .await
                .unwrap()
                .expect("every message stored");
            state.insert(
                format!("message {n} {what}"),
                format!(
                    "{:?} {:?} {:?}",
                    message.status,
                    message.direction,
                    message.content.and_then(|c| c.body)
                ),
            );
        }
    }
    let mut jobs: Vec<String> = server
        .jobs
        .transcription_jobs()
        .await
        .into_iter()
        .map(|job| job.call_sid.to_string())
        .collect();
    jobs.sort();
    state.insert("transcription jobs".into(), jobs.join(" "));
    state
}

async fn deliver(server: &TestServer, hooks: &[Hook]) {
    for hook in hooks {
        let form: Vec<(&str, &str)> = hook.form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = server.post_signed(hook.path, &form).await;
        assert!(
            answer.status().is_success(),
            "{} {:?}: {}",
            hook.path,
            hook.form,
            answer.status()
        );
    }
}

async fn retries_and_races_end_where_one_in_order_delivery_ends(
    on_aws: bool,
    calls: u64,
    messages: u64,
    seeds: &[u64],
) {
    let all = calls_and_messages(calls, messages);
    let in_order = server(on_aws).await;
    deliver(&in_order, &all.concat()).await;
    let expected = state(&in_order, calls, messages).await;
    assert_eq!(
        expected["transcription jobs"].split(' ').count() as u64,
        calls,
        "one job per recording"
    );
    for &seed in seeds {
        let shuffled = server(on_aws).await;
        deliver(&shuffled, &retried_and_shuffled(&all, seed)).await;
        let got = state(&shuffled, calls, messages).await;
        for (key, value) in &expected {
            assert_eq!(got.get(key), Some(value), "seed {seed}: {key}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_and_races_end_where_one_in_order_delivery_ends_embedded() {
    retries_and_races_end_where_one_in_order_delivery_ends(false, 120, 60, &[1_234_567]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_and_races_end_where_one_in_order_delivery_ends_aws() {
    // Fewer on moto, which takes milliseconds a request.
    retries_and_races_end_where_one_in_order_delivery_ends(true, 25, 10, &[7]).await;
}
