//! Live updates: a device hears about another device's change within a second, also when the
//! two talk to different server processes on one PostgreSQL (LISTEN/NOTIFY between them).
//!
//! The replica test needs the OS keyring: run under scripts/with-keyring.sh (as `make test` does).

use std::time::{Duration, Instant};

use tandem_sync::{paths, Change, Op, Outcome, Secret, Version};
use tandem_tests::fixtures::new_account;
use tandem_tests::{create_user, spawn_process, ApiClient, CallError, Device, TestDb};

const PASSWORD: &str = "correct horse battery";
/// The goal is one second; the assertion allows more so a loaded CI machine does not flake.
const GENEROUS: Duration = Duration::from_secs(5);

fn applied(outcome: &Outcome) -> Version {
    match outcome {
        Outcome::Applied { version } => *version,
        Outcome::Rejected { code, reason } => panic!("expected applied, got rejected {code}: {reason}"),
    }
}

async fn two_users_db() -> TestDb {
    let db = TestDb::new().await.expect("a test database");
    create_user_after_migration(&db, "anna").await;
    create_user_after_migration(&db, "ben").await;
    db
}

async fn create_user_after_migration(db: &TestDb, name: &str) {
    create_user(&db.url, name, "sales_manager", PASSWORD).await.expect("create user (migrates first)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_pushed_to_one_server_reaches_a_subscriber_of_another_within_a_second() {
    let db = two_users_db().await;
    let one = spawn_process(&db.url).expect("server 1 starts");
    let two = spawn_process(&db.url).expect("server 2 starts");
    let a = Device::login(&one.client(), "anna", PASSWORD).await.expect("A logs in on server 1");
    let mut b = Device::login(&two.client(), "ben", PASSWORD).await.expect("B logs in on server 2");

    let mut stream = one.client().events(Some(&a.token)).await.expect("A subscribes on server 1");
    assert!(
        stream.content_type.as_deref().is_some_and(|c| c.starts_with("text/event-stream")),
        "the stream is Server-Sent Events: {:?}",
        stream.content_type
    );
    let first = stream.next_version(GENEROUS).await.expect("a first event").expect("the stream stays open");
    assert_eq!(first, Version(0), "a fresh database's current version comes first");

    let acme = new_account("ACME Live GmbH");
    let started = Instant::now();
    let pushed = b.push_ops([Op::AccountCreate(acme.clone())]).await.expect("B pushes through server 2");
    let version = applied(&pushed.results[0].outcome);
    let heard = loop {
        let v = stream.next_version(GENEROUS).await.expect("an event within the timeout").expect("stream open");
        if v >= version {
            break v;
        }
    };
    let latency = started.elapsed();
    eprintln!("live latency across two server processes: {latency:?} (push included)");
    assert!(heard >= version, "the event announces at least the applied version");
    assert!(latency < GENEROUS, "heard after {latency:?}");

    let page = a.pull(Version(0), 100).await.expect("A pulls through server 1");
    assert!(
        page.changes.iter().any(|c| matches!(c, Change::Account { id, data: Some(_), .. } if *id == acme.id)),
        "the announced change is there to pull on the other server: {:?}",
        page.changes
    );
    assert!(page.cursor >= heard);

    // A second push announces the next version: the stream keeps going.
    let pushed = b.push_ops([Op::AccountCreate(new_account("Second Live AG"))]).await.expect("second push");
    let second = applied(&pushed.results[0].outcome);
    let v = stream.next_version(GENEROUS).await.expect("a second event").expect("stream open");
    assert_eq!(v, second, "each push announces its version");
}

#[tokio::test]
async fn the_event_stream_refuses_a_missing_or_invalid_token_with_a_json_401() {
    let db = two_users_db().await;
    let server = spawn_process(&db.url).expect("server starts");
    let client = server.client();
    for (what, token) in [("no token", None), ("a wrong token", Some(Secret::new("not-a-token")))] {
        match client.events(token.as_ref()).await {
            Err(CallError::Api { status, error }) => {
                assert_eq!(status, 401, "{what}: 401");
                assert_eq!(error.code, "unauthorized", "{what}: code");
                assert!(!error.message.is_empty(), "{what}: a message to read");
            }
            other => panic!("{what}: expected a JSON 401, got {other:?}"),
        }
    }
    let raw = client.raw("GET", paths::EVENTS, Some(""), None, "").await.expect("raw request");
    assert_eq!(raw.status, 401, "an empty bearer token is refused");
    assert_eq!(raw.error_body().expect("JSON error").code, "unauthorized");
    let raw = client.raw("POST", paths::EVENTS, None, None, "").await.expect("raw request");
    assert_eq!(raw.status, 405, "the stream is GET only");
}

#[tokio::test]
async fn a_late_subscriber_first_hears_the_current_version() {
    let db = two_users_db().await;
    let server = spawn_process(&db.url).expect("server starts");
    let mut ben = Device::login(&server.client(), "ben", PASSWORD).await.expect("login");
    let mut last = Version(0);
    for i in 0..3 {
        let pushed = ben.push_ops([Op::AccountCreate(new_account(&format!("Early {i} KG")))]).await.expect("push");
        last = applied(&pushed.results[0].outcome);
    }
    let anna = Device::login(&server.client(), "anna", PASSWORD).await.expect("login");
    let mut stream = server.client().events(Some(&anna.token)).await.expect("subscribe");
    let first = stream.next_version(GENEROUS).await.expect("first event").expect("stream open");
    assert_eq!(first, last, "a device that missed the events learns the current version at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_recovers_after_its_database_connection_is_killed() {
    let db = two_users_db().await;
    let one = spawn_process(&db.url).expect("server 1 starts");
    let two = spawn_process(&db.url).expect("server 2 starts");
    let a = Device::login(&one.client(), "anna", PASSWORD).await.expect("login");
    let mut b = Device::login(&two.client(), "ben", PASSWORD).await.expect("login");
    let mut stream = one.client().events(Some(&a.token)).await.expect("subscribe");
    stream.next_version(GENEROUS).await.expect("first event").expect("open");

    // Kill every LISTEN connection (both servers'), as a database restart or a proxy would.
    let pool = db.pool().await.expect("pool");
    let killed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query ILIKE 'LISTEN%') t",
    )
    .fetch_one(&pool)
    .await
    .expect("terminate listeners");
    assert!(killed >= 1, "the servers' listener connections were found");

    let started = Instant::now();
    let pushed = b.push_ops([Op::AccountCreate(new_account("After The Cut SE"))]).await.expect("push");
    let version = applied(&pushed.results[0].outcome);
    let deadline = Duration::from_secs(45);
    loop {
        let v = stream.next_version(deadline).await.expect("an event after the reconnect").expect("stream open");
        if v >= version {
            break;
        }
    }
    eprintln!("heard the change {:?} after the listener lost its connection", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_ends_open_event_streams() {
    let db = TestDb::new().await.expect("db");
    let pool = tandem_server::connect(&db.url).await.expect("connect");
    tandem_server::migrate(&pool).await.expect("migrate");
    create_user_after_migration(&db, "anna").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(tandem_server::serve(listener, pool.clone(), async move {
        let _ = stopped.await;
    }));
    let client = ApiClient::new(&url);
    let anna = Device::login(&client, "anna", PASSWORD).await.expect("login");
    let mut stream = client.events(Some(&anna.token)).await.expect("subscribe");
    stream.next_version(GENEROUS).await.expect("first event").expect("open");

    stop.send(()).expect("the server waits for the signal");
    let served = tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("graceful shutdown does not wait for live streams forever")
        .expect("serve task");
    served.expect("serve returns Ok");
    let end = stream.next_version(GENEROUS).await;
    assert!(matches!(end, Ok(None) | Err(_)), "the stream has ended: {end:?}");
}

mod replica {
    use super::*;
    use tandem_replica::Workspace;

    /// `Replica::listen` against a real server: it reports the current version, then a change
    /// another device pushed through another server process, and returns when the server dies.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn replica_listen_hears_a_change_from_another_server_and_returns_when_the_server_dies() {
        let db = two_users_db().await;
        let mut one = spawn_process(&db.url).expect("server 1 starts");
        let two = spawn_process(&db.url).expect("server 2 starts");
        let dir = tempfile::tempdir().expect("data dir");
        let replica = Workspace::new(dir.path())
            .sign_in(&one.base_url, "anna", Secret::new(PASSWORD))
            .await
            .expect("sign in (needs the keyring: run under scripts/with-keyring.sh)");
        let replica = std::sync::Arc::new(replica);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let listening = tokio::spawn({
            let replica = replica.clone();
            async move {
                replica
                    .listen(move |v| {
                        let _ = tx.send(v);
                    })
                    .await
            }
        });
        let first = tokio::time::timeout(GENEROUS, rx.recv()).await.expect("first version in time");
        assert_eq!(first, Some(Version(0)), "the current version comes first");

        let mut ben = Device::login(&two.client(), "ben", PASSWORD).await.expect("B logs in on server 2");
        let started = Instant::now();
        let acme = new_account("Replica Live GmbH");
        let pushed = ben.push_ops([Op::AccountCreate(acme.clone())]).await.expect("push");
        let version = applied(&pushed.results[0].outcome);
        loop {
            let v = tokio::time::timeout(GENEROUS, rx.recv()).await.expect("the version in time").expect("listening");
            if v >= version {
                break;
            }
        }
        let latency = started.elapsed();
        eprintln!("Replica::listen latency across two server processes: {latency:?}");
        assert!(version > replica.cursor().await.expect("cursor"), "the event is news to this replica");

        replica.sync(&|_| {}).await.expect("sync after the event");
        let names: Vec<String> = replica.all_accounts().await.expect("accounts").into_iter().map(|a| a.name).collect();
        assert!(names.contains(&"Replica Live GmbH".to_owned()), "the change was pulled: {names:?}");
        assert!(replica.cursor().await.expect("cursor") >= version);

        one.kill();
        let ended = tokio::time::timeout(Duration::from_secs(60), listening)
            .await
            .expect("listen returns when the server goes away")
            .expect("listen task");
        eprintln!("listen returned after the server died: {ended:?}");
    }
}
