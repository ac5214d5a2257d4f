//! Call-attempt counters.

use frontdesk::domain::BusinessId;

use super::{unique, Backends, T0};

pub async fn call_attempts_are_counted_atomically_per_minute(b: &Backends) {
    let biz = BusinessId::parse(&format!("rate-{}", unique())).unwrap();
    let minute = T0.unix_timestamp();
    let counts = (0..10).map(|_| {
        let store = b.store.clone();
        let biz = biz.clone();
        tokio::spawn(async move {
            store
                .count_call_attempt(&biz, "+972501234567", minute)
                .await
                .unwrap()
        })
    });
    let mut seen = Vec::new();
    for count in counts {
        seen.push(count.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=10).collect::<Vec<u64>>());
    assert_eq!(
        b.store
            .count_call_attempt(&biz, "+972501234567", minute + 60)
            .await
            .unwrap(),
        1,
        "a new minute starts at 1"
    );
    assert_eq!(
        b.store
            .count_call_attempt(&biz, "+972509999999", minute)
            .await
            .unwrap(),
        1,
        "counted per caller"
    );
}
