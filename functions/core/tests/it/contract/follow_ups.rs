//! Appointments' follow-up records (each kind written on its own, read one at a time, in a
//! batch, and as a business's recent ones) and the businesses' calendar keys.

use frontdesk::config::Secret;
use frontdesk::domain::{
    AppointmentId, CalendarAction, CalendarSync, Confirmation, ConfirmationChannel, FollowUpState,
    MessageId, MessageStatus, Provider,
};
use frontdesk::store::FollowUp;
use jiff::Timestamp;

use super::{business, Backends};

fn at(rfc3339: &str) -> Timestamp {
    rfc3339.parse().unwrap()
}

fn confirmation(state: FollowUpState, when: &str) -> Confirmation {
    Confirmation {
        channel: ConfirmationChannel::Sms,
        provider: Provider::Twilio,
        state,
        message_id: Some(MessageId::parse("SM0123456789abcdef").unwrap()),
        message_status: Some(MessageStatus::Queued),
        error_code: None,
        error: None,
        attempts: 1,
        at: at(when),
    }
}

fn calendar(id: &AppointmentId, state: FollowUpState, when: &str) -> CalendarSync {
    CalendarSync {
        event_id: id.to_string(),
        action: CalendarAction::Insert,
        state,
        version: 1,
        error: (state == FollowUpState::Retrying).then(|| "HTTP 500".into()),
        attempts: 2,
        at: at(when),
    }
}

pub async fn each_follow_up_is_kept_apart_and_read_back(b: &Backends) {
    let owner = business(vec![]);
    let id = AppointmentId::generate();
    let none = b.store.follow_ups(&id).await.unwrap();
    assert!(none.is_empty());

    let retrying = calendar(&id, FollowUpState::Retrying, "2026-11-21T10:00:00Z");
    b.store
        .put_follow_up(&id, &owner.id, &FollowUp::Calendar(retrying.clone()))
        .await
        .unwrap();
    let sent = confirmation(FollowUpState::Done, "2026-11-21T10:00:01Z");
    b.store
        .put_follow_up(&id, &owner.id, &FollowUp::Confirmation(sent.clone()))
        .await
        .unwrap();
    let both = b.store.follow_ups(&id).await.unwrap();
    assert_eq!(both.confirmation, Some(sent.clone()));
    assert_eq!(
        both.calendar,
        Some(retrying),
        "the confirmation left it alone"
    );

    let synced = calendar(&id, FollowUpState::Done, "2026-11-21T10:00:30Z");
    b.store
        .put_follow_up(&id, &owner.id, &FollowUp::Calendar(synced.clone()))
        .await
        .unwrap();
    let now = b.store.follow_ups(&id).await.unwrap();
    assert_eq!(now.calendar, Some(synced));
    assert_eq!(now.confirmation, Some(sent));
}

pub async fn follow_ups_are_read_in_a_batch_and_as_a_businesss_recent_ones(b: &Backends) {
    let owner = business(vec![]);
    let other = business(vec![]);
    let ids: Vec<AppointmentId> = (0..3).map(|_| AppointmentId::generate()).collect();
    let times = [
        "2026-11-20T10:00:00Z",
        "2026-11-21T10:00:00Z",
        "2026-11-22T10:00:00Z",
    ];
    for (id, when) in ids.iter().zip(times) {
        let record = FollowUp::Calendar(calendar(id, FollowUpState::Done, when));
        b.store.put_follow_up(id, &owner.id, &record).await.unwrap();
    }
    let elsewhere = AppointmentId::generate();
    b.store
        .put_follow_up(
            &elsewhere,
            &other.id,
            &FollowUp::Confirmation(confirmation(FollowUpState::Failed, "2026-11-22T10:00:00Z")),
        )
        .await
        .unwrap();

    let never = AppointmentId::generate();
    let asked = [
        ids[0].clone(),
        never.clone(),
        ids[2].clone(),
        ids[0].clone(),
    ];
    let batch = b.store.follow_ups_of(&asked).await.unwrap();
    assert_eq!(batch.len(), 2, "one per appointment that has any");
    assert!(batch[&ids[0]].calendar.is_some() && !batch.contains_key(&never));

    let recent = b
        .store
        .recent_follow_ups(&owner.id, at("2026-11-21T00:00:00Z"))
        .await
        .unwrap();
    let recent_ids: Vec<&AppointmentId> = recent.iter().map(|(id, _)| id).collect();
    assert_eq!(
        recent_ids,
        [&ids[2], &ids[1]],
        "newest first, since the time given"
    );
    let theirs = b
        .store
        .recent_follow_ups(&other.id, at("2026-11-01T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(
        theirs[0].1.confirmation.as_ref().map(|c| c.state),
        Some(FollowUpState::Failed)
    );
}

pub async fn a_calendar_key_is_set_replaced_removed_and_goes_with_its_business(b: &Backends) {
    let owner = business(vec![]);
    b.store.put_business(&owner).await.unwrap();
    assert_eq!(b.store.calendar_key(&owner.id).await.unwrap(), None);
    assert!(!b.store.delete_calendar_key(&owner.id).await.unwrap());
    let first = Secret::new(r#"{"type":"service_account","private_key_id":"1"}"#).unwrap();
    let second = Secret::new(r#"{"type":"service_account","private_key_id":"2"}"#).unwrap();
    b.store.put_calendar_key(&owner.id, &first).await.unwrap();
    b.store.put_calendar_key(&owner.id, &second).await.unwrap();
    assert_eq!(
        b.store.calendar_key(&owner.id).await.unwrap(),
        Some(second.clone())
    );
    assert!(b.store.delete_calendar_key(&owner.id).await.unwrap());
    assert_eq!(b.store.calendar_key(&owner.id).await.unwrap(), None);

    b.store.put_calendar_key(&owner.id, &first).await.unwrap();
    assert!(b.store.delete_business(&owner.id).await.unwrap());
    assert_eq!(
        b.store.calendar_key(&owner.id).await.unwrap(),
        None,
        "deleting a business deletes its key"
    );
}
