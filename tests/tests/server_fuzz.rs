//! Bad input over the network: random and corrupted push bodies, with a valid token, against a
//! real server on real PostgreSQL. Every one is answered 4xx with a JSON `{code, message}` (never
//! a 5xx, never a dropped connection) and none changes anything.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tandem_tests::{create_user, spawn_in_process, ApiClient, Device, TestDb};

#[test]
fn random_push_bodies_are_refused_cleanly_and_change_nothing() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (db, server, token, device) = rt.block_on(async {
        let db = TestDb::new().await.expect("database");
        let server = spawn_in_process(&db).await.expect("server");
        create_user(&db.url, "fuzz", "sales_manager", "fuzz-password-1").await.expect("user");
        let d = Device::login(&ApiClient::new(&server.base_url), "fuzz", "fuzz-password-1").await.expect("login");
        (db, server, d.token.expose().to_owned(), d.id)
    });
    let api = ApiClient::new(&server.base_url);
    let valid = format!(
        r#"{{"protocol":1,"device_id":"{device}","mutations":[{{"seq":1,"made_at":"2026-11-23T10:00:00Z","op":{{"name":"account.create","args":{{"id":"0190f5b4-7c1a-7cc2-8f3e-0d6b5b1e2a11","name":"Fuzz AG","email":"x"}}}}}}]}}"#
    );
    let state = || {
        rt.block_on(async {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT (SELECT version FROM sync_clock), (SELECT COUNT(*) FROM mutation_log)",
            )
            .fetch_one(&server.pool)
            .await
            .expect("read state")
        })
    };
    let before = state();
    let bodies = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        (0..valid.len(), any::<u8>()).prop_map({
            let valid = valid.clone();
            move |(at, b)| {
                let mut v = valid.clone().into_bytes();
                v[at] = b;
                v
            }
        }),
        (0..valid.len()).prop_map({
            let valid = valid.clone();
            move |at| valid.as_bytes()[..at].to_vec()
        }),
    ];
    let mut runner = TestRunner::new(Config { cases: 300, failure_persistence: None, ..Config::default() });
    runner
        .run(&bodies, |body| {
            let r = rt
                .block_on(api.raw("POST", "/v1/push", Some(&token), Some("application/json"), body.clone()))
                .map_err(|e| TestCaseError::fail(format!("no answer: {e:#}")))?;
            prop_assert!(
                (400..500).contains(&r.status),
                "status {} for {:?}: {}",
                r.status,
                String::from_utf8_lossy(&body),
                r.body
            );
            let e = r.error_body().map_err(|e| TestCaseError::fail(format!("not a JSON error: {e:#}")))?;
            prop_assert!(!e.code.is_empty() && !e.message.is_empty());
            Ok(())
        })
        .expect("every bad body is refused with a 4xx JSON error");
    assert_eq!(state(), before, "no refused request changed anything");
    drop(server);
    drop(db);
}
