//! Booking on a deployed stack (moto), with the real binary: `--stack NAME` books and cancels
//! through the stack's table and raises the events on its SQS notify queue, read from the
//! stack's NotifyQueueUrl output. A bare `--table` refuses to book (its queue is unknown)
//! until it is given `--notify-queue-url`.

use std::collections::HashMap;
use std::process::{Command, Output};

use frontdesk::lambda::aws::AwsClients;
use frontdesk_testkit::aws;
use frontdesk_testkit::standins::twilio_rest::TwilioApi;
use serde_json::Value;

use crate::booking::{in_days, PHONE, SETTINGS_JSON};
use crate::new_user::{deployed_stack, user_environment};
use crate::operator::{ACCOUNT_SID, AUTH_TOKEN};
use crate::FRONTDESK;

fn frontdesk(env: &HashMap<&str, String>, args: &[&str]) -> Output {
    Command::new(FRONTDESK)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("frontdesk runs")
}

fn ok(env: &HashMap<&str, String>, args: &[&str]) -> String {
    let output = frontdesk(env, args);
    assert!(
        output.status.success(),
        "{args:?}: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The event types on `queue`, received and deleted.
async fn events(clients: &AwsClients, queue: &str) -> Vec<String> {
    let received = clients
        .sqs
        .receive_message()
        .queue_url(queue)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let mut events = Vec::new();
    for message in received.messages() {
        let body: Value = serde_json::from_str(message.body().unwrap()).unwrap();
        events.push(body["event"].as_str().unwrap().to_string());
        clients
            .sqs
            .delete_message()
            .queue_url(queue)
            .receipt_handle(message.receipt_handle().unwrap())
            .send()
            .await
            .unwrap();
    }
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stack_books_and_cancels_through_its_table_and_notify_queue() {
    let endpoint = aws::endpoint();
    let sdk = aws::patient_sdk(&endpoint).await;
    let clients = AwsClients::from_config(&sdk);
    let (stack, _) = deployed_stack(&clients, &sdk, "https://api.example.com").await;
    let notify = clients
        .sqs
        .get_queue_url()
        .queue_name(format!("{stack}-notify"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let twilio = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let mut env = user_environment(&twilio);
    env.insert("AWS_ENDPOINT_URL", endpoint.clone());
    env.insert("AWS_REGION", aws::REGION.into());
    env.insert("AWS_ACCESS_KEY_ID", aws::CREDENTIAL.into());
    env.insert("AWS_SECRET_ACCESS_KEY", aws::CREDENTIAL.into());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("booking.json");
    std::fs::write(&file, SETTINGS_JSON).unwrap();
    let file = file.display().to_string();
    let start = format!("{} 10:00", in_days(3));
    let later = format!("{} 11:00", in_days(3));

    let (stack_env, table_env, stack_name) = {
        let mut stack_env = env.clone();
        stack_env.insert("FRONTDESK_STACK", stack.clone());
        (stack_env, env, stack)
    };
    let notify_url = notify.clone();
    let booked_id = tokio::task::spawn_blocking(move || {
        let env = &stack_env;
        ok(
            env,
            &[
                "business",
                "create",
                "acme",
                "--name",
                "Acme Dental",
                "--calendar",
                "true",
                "--call-goal",
                "appointment",
                "--webhook-url",
                "https://hooks.example.com/frontdesk",
            ],
        );
        ok(env, &["booking", "set", "acme", "--file", &file]);
        let booked: Value = serde_json::from_str(&ok(
            env,
            &[
                "appointments",
                "book",
                "acme",
                "--service",
                "checkup",
                "--start",
                &start,
                "--phone",
                PHONE,
                "--json",
            ],
        ))
        .unwrap();
        let id = booked["appointment_id"].as_str().unwrap().to_string();
        let listed: Value =
            serde_json::from_str(&ok(env, &["appointments", "list", "acme", "--json"])).unwrap();
        assert_eq!(listed[0]["appointment_id"], id.as_str(), "{listed:#}");
        assert_eq!(listed[0]["status"], "booked");

        // A bare table does not know where events go: nothing is booked there.
        let table = ["--table", stack_name.as_str()];
        let mut refused_args = vec![
            "appointments",
            "book",
            "acme",
            "--service",
            "checkup",
            "--start",
            &later,
            "--phone",
            PHONE,
        ];
        refused_args.extend(table);
        let refused = frontdesk(&table_env, &refused_args);
        assert_eq!(refused.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("no known notify queue"), "{stderr}");
        assert!(stderr.contains("--notify-queue-url"), "{stderr}");
        let listed: Value = serde_json::from_str(&ok(
            &table_env,
            &[
                "appointments",
                "list",
                "acme",
                "--json",
                "--table",
                &stack_name,
            ],
        ))
        .unwrap();
        assert_eq!(
            listed.as_array().unwrap().len(),
            1,
            "read-only commands work"
        );

        let mut with_queue = refused_args.clone();
        with_queue.extend(["--notify-queue-url", notify_url.as_str()]);
        ok(&table_env, &with_queue);
        ok(env, &["appointments", "cancel", "acme", &id]);
        id
    })
    .await
    .unwrap();
    let mut seen = events(&clients, &notify).await;
    seen.extend(events(&clients, &notify).await);
    seen.sort();
    assert_eq!(
        seen,
        [
            "appointment.booked",
            "appointment.booked",
            "appointment.cancelled"
        ],
        "{booked_id}"
    );
}
