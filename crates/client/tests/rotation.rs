//! Keys rotated under running clients: no failed request, whatever the
//! source of the keys (given in code, a credentials file, the environment).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use altgate_client::protocol::{AuditAction, ErrorCode, KeyId};
use altgate_client::{AuditQuery, AuthMode, Client};
use common::{create_key, secret, server, server_with};
use serde_json::json;
use tokio::sync::mpsc;

/// Replaces a file the way a deployment should: a new file renamed over
/// the old, so a reader sees the old contents or the new, never half.
fn replace(path: &Path, text: &str) {
    let staging = path.with_extension("tmp");
    std::fs::write(&staging, text).unwrap();
    std::fs::rename(&staging, path).unwrap();
}

fn credentials(key_id: &KeyId, key: &str, next: Option<(&KeyId, &str)>) -> String {
    let mut text = format!("key_id = \"{key_id}\"\nkey = \"{key}\"\n");
    if let Some((id, key)) = next {
        text.push_str(&format!("next_key_id = \"{id}\"\nnext_key = \"{key}\"\n"));
    }
    text
}

/// One request of a load loop: which client, how it went, and the key the
/// client held after it.
#[derive(Debug)]
struct Outcome {
    client: usize,
    result: Result<(), String>,
    key_id: Option<KeyId>,
}

/// Runs requests back to back until `stop`, reporting each.
fn load(
    index: usize,
    client: Client,
    stop: Arc<AtomicBool>,
    outcomes: mpsc::UnboundedSender<Outcome>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut round = 0u64;
        while !stop.load(Ordering::Relaxed) {
            round += 1;
            // The signed client also manages keys now and then, which a
            // bearer key could not.
            let result = if client.auth_mode() == Some(AuthMode::Hmac) && round.is_multiple_of(3) {
                client.list_keys(None, None).await.map(drop)
            } else {
                client.prices(&["bitcoin"]).await.map(drop)
            };
            let outcome = Outcome { client: index, result: result.map_err(|e| e.to_string()), key_id: client.key_id() };
            if outcomes.send(outcome).is_err() {
                break;
            }
        }
    })
}

/// Tallies the loops' outcomes.
struct Tally {
    receiver: mpsc::UnboundedReceiver<Outcome>,
    failures: Vec<Outcome>,
    total: [u64; 2],
}

impl Tally {
    /// Waits until each client has made `n` more successful requests with
    /// the key `expected[client]` holds afterwards (`None`: any key).
    async fn wait_for(&mut self, n: u64, expected: [Option<&KeyId>; 2]) {
        let mut counted = [0u64; 2];
        while counted.iter().any(|&c| c < n) {
            let outcome = self.receiver.recv().await.unwrap();
            self.total[outcome.client] += 1;
            let on_expected = expected[outcome.client].is_none_or(|id| outcome.key_id.as_ref() == Some(id));
            match &outcome.result {
                Ok(()) if on_expected => counted[outcome.client] += 1,
                Ok(()) => {}
                Err(_) => self.failures.push(outcome),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_clients_under_load_follow_a_rotation_without_a_failed_request() {
    // Rates high enough that the load is never limited on a clock that
    // does not move by itself.
    let server = server_with(|c| c.plans.platinum.rate_per_minute = 10_000_000).await;
    let admin = server.admin_client().await;
    let reader_key = create_key(&admin, json!({"name": "reader", "scopes": ["read"]})).await;
    let bot_key = create_key(&admin, json!({"name": "bot", "scopes": ["read", "keys"]})).await;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bot.toml");
    replace(&path, &credentials(&bot_key.info.id, secret(&bot_key), None));
    let reader = Client::bearer(&server.url, secret(&reader_key)).unwrap();
    let bot = Client::with_credentials_file(&server.url, &path).unwrap();
    bot.sync_clock().await.unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let (sender, receiver) = mpsc::unbounded_channel();
    let loops =
        [load(0, reader.clone(), stop.clone(), sender.clone()), load(1, bot.clone(), stop.clone(), sender.clone())];
    drop(sender);
    let mut tally = Tally { receiver, failures: Vec::new(), total: [0; 2] };
    tally.wait_for(20, [None, Some(&bot_key.info.id)]).await;

    // Both keys rotated with a ten-second grace window. The reader is
    // given its successor in code; the bot's file gains the next key.
    let reader_next = admin.rotate_key(&reader_key.info.id, 10).await.unwrap();
    let bot_next = admin.rotate_key(&bot_key.info.id, 10).await.unwrap();
    reader.set_next_key(reader_next.info.id.as_str(), secret(&reader_next)).unwrap();
    let with_next = credentials(&bot_key.info.id, secret(&bot_key), Some((&bot_next.info.id, secret(&bot_next))));
    replace(&path, &with_next);
    // Within the grace window the old keys still work and stay in use.
    tally.wait_for(20, [None, Some(&bot_key.info.id)]).await;
    assert_eq!(reader.key_id(), None, "the bearer key given alone, still in use");

    // The grace window ends: the next requests are refused with
    // `key_expired`, inside the calls, which move to the successors.
    server.clock.advance(Duration::from_secs(11));
    tally.wait_for(20, [Some(&reader_next.info.id), Some(&bot_next.info.id)]).await;

    // The file is replaced by one naming only the new key.
    replace(&path, &credentials(&bot_next.info.id, secret(&bot_next), None));
    tally.wait_for(20, [Some(&reader_next.info.id), Some(&bot_next.info.id)]).await;

    stop.store(true, Ordering::Relaxed);
    while let Some(outcome) = tally.receiver.recv().await {
        tally.total[outcome.client] += 1;
        if outcome.result.is_err() {
            tally.failures.push(outcome);
        }
    }
    for handle in loops {
        handle.await.unwrap();
    }
    assert!(tally.failures.is_empty(), "failed requests: {:?}", tally.failures);
    assert!(tally.total.iter().all(|&n| n >= 80), "{:?}", tally.total);
    assert_eq!(reader.key_id(), Some(reader_next.info.id.clone()));
    assert_eq!(bot.key_id(), Some(bot_next.info.id.clone()));

    // The trail: both rotations, by the admin key, naming the successors.
    let rotations = admin.audit(&audit_of(AuditAction::KeyRotated, None)).await.unwrap().data;
    let rotated: HashMap<_, _> = rotations
        .iter()
        .map(|e| (e.key_id.clone().unwrap(), e.details["rotated_to"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(rotated.len(), 2);
    assert_eq!(rotated[&reader_key.info.id], reader_next.info.id.as_str());
    assert_eq!(rotated[&bot_key.info.id], bot_next.info.id.as_str());
    assert!(rotations.iter().all(|e| e.actor_key_id.as_ref() == Some(&server.admin.key_id)));

    // The new keys carry the traffic; each old key was refused once, at
    // the switch, and never used again. Reading the usage writes the
    // counters, with the aggregated refusals, to the store and the trail.
    for (old, new) in [(&reader_key, &reader_next), (&bot_key, &bot_next)] {
        let usage = admin.key_usage(&new.info.id).await.unwrap();
        let entry = |id: &KeyId| usage.family.iter().find(|e| &e.key_id == id).unwrap();
        let new_requests: u64 = entry(&new.info.id).minutes.iter().map(|m| m.requests).sum();
        assert!(new_requests >= 40, "{new_requests} requests with {}", new.info.id);
        assert!(entry(&new.info.id).rejects.is_empty(), "{:?}", entry(&new.info.id).rejects);
        assert_eq!(entry(&old.info.id).rejects.get("key_expired"), Some(&1));
        let failures = admin.audit(&audit_of(AuditAction::AuthFailures, Some(&old.info.id))).await.unwrap().data;
        let expired: u64 = failures
            .iter()
            .filter(|e| e.details["code"] == "key_expired")
            .map(|e| e.details["count"].as_u64().unwrap())
            .sum();
        assert_eq!(expired, 1, "{failures:?}");
    }
    let made_with_new = admin.audit(&audit_of(AuditAction::AuthFailures, Some(&bot_next.info.id))).await;
    let made_with_new = made_with_new.unwrap().data;
    assert!(made_with_new.is_empty(), "no request with the new key was refused: {made_with_new:?}");
}

/// The audit events of `action`, about `key` if given.
fn audit_of(action: AuditAction, key: Option<&KeyId>) -> AuditQuery {
    AuditQuery { action: Some(action), key_id: key.cloned(), ..AuditQuery::default() }
}

/// Environment variables a test can change under a running client.
#[derive(Clone, Default)]
struct Env(Arc<RwLock<HashMap<String, String>>>);

impl Env {
    fn set(&self, vars: &[(&str, &str)]) {
        *self.0.write().unwrap() = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    }

    fn lookup(&self) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let vars = Arc::clone(&self.0);
        move |name| vars.read().unwrap().get(name).cloned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_is_read_again_when_the_key_is_refused() {
    let server = server().await;
    let admin = server.admin_client().await;
    let first = create_key(&admin, json!({"name": "daemon", "scopes": ["read"]})).await;
    let env = Env::default();
    env.set(&[("ALTGATE_KEY_ID", first.info.id.as_str()), ("ALTGATE_KEY", secret(&first))]);
    let daemon = Client::from_env_with(&server.url, env.lookup()).unwrap();
    assert_eq!((daemon.auth_mode(), daemon.key_id()), (Some(AuthMode::Hmac), Some(first.info.id.clone())));
    daemon.sync_clock().await.unwrap();
    daemon.prices(&[]).await.unwrap();

    // Rotated with no grace, and the supervisor updates the environment:
    // the refused call reads it again, switches and succeeds.
    let second = admin.rotate_key(&first.info.id, 0).await.unwrap();
    env.set(&[("ALTGATE_KEY_ID", second.info.id.as_str()), ("ALTGATE_KEY", secret(&second))]);
    daemon.prices(&[]).await.unwrap();
    assert_eq!(daemon.key_id(), Some(second.info.id.clone()));

    // Rotated again, the environment not updated: the refusal is the
    // caller's, with its code, and the key stays.
    let third = admin.rotate_key(&second.info.id, 0).await.unwrap();
    assert_eq!(daemon.prices(&[]).await.unwrap_err().code(), Some(ErrorCode::KeyExpired));
    assert_eq!(daemon.key_id(), Some(second.info.id.clone()));

    // The successor given as the next key is taken as well.
    env.set(&[
        ("ALTGATE_KEY_ID", second.info.id.as_str()),
        ("ALTGATE_KEY", secret(&second)),
        ("ALTGATE_NEXT_KEY_ID", third.info.id.as_str()),
        ("ALTGATE_NEXT_KEY", secret(&third)),
    ]);
    daemon.prices(&[]).await.unwrap();
    assert_eq!(daemon.key_id(), Some(third.info.id.clone()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_chooses_a_file_or_keys_and_the_mode() {
    let server = server().await;
    let admin = server.admin_client().await;
    let key = create_key(&admin, json!({"name": "env", "scopes": ["read", "keys"]})).await;
    let other = create_key(&admin, json!({"name": "file", "scopes": ["read", "keys"]})).await;
    let (id, key) = (key.info.id.as_str(), secret(&key));
    let env = Env::default();

    // Keys in the variables, signed by default: key management works.
    env.set(&[("ALTGATE_KEY_ID", id), ("ALTGATE_KEY", key)]);
    let signed = Client::from_env_with(&server.url, env.lookup()).unwrap();
    assert_eq!(signed.auth_mode(), Some(AuthMode::Hmac));
    signed.sync_clock().await.unwrap();
    assert!(!signed.list_keys(None, None).await.unwrap().data.is_empty());

    // `ALTGATE_AUTH=bearer`: the same key as a bearer, told to sign.
    env.set(&[("ALTGATE_KEY_ID", id), ("ALTGATE_KEY", key), ("ALTGATE_AUTH", "bearer")]);
    let bearer = Client::from_env_with(&server.url, env.lookup()).unwrap();
    assert_eq!((bearer.auth_mode(), bearer.key_id().unwrap().as_str()), (Some(AuthMode::Bearer), id));
    bearer.prices(&[]).await.unwrap();
    assert_eq!(bearer.list_keys(None, None).await.unwrap_err().code(), Some(ErrorCode::SignatureRequired));

    // A credentials file wins over the variables.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("altgate.toml");
    let text = format!("auth = \"bearer\"\n{}", credentials(&other.info.id, secret(&other), None));
    replace(&path, &text);
    let path_text = path.to_str().unwrap();
    env.set(&[("ALTGATE_CREDENTIALS_FILE", path_text), ("ALTGATE_KEY_ID", id), ("ALTGATE_KEY", key)]);
    let from_file = Client::from_env_with(&server.url, env.lookup()).unwrap();
    assert_eq!(from_file.key_id(), Some(other.info.id.clone()));
    assert_eq!(from_file.auth_mode(), Some(AuthMode::Bearer));
    from_file.prices(&[]).await.unwrap();

    // And the file is followed: replaced after a rotation, the bearer
    // client moves to the new key when the old one is refused.
    let next = admin.rotate_key(&other.info.id, 0).await.unwrap();
    replace(&path, &format!("auth = \"bearer\"\n{}", credentials(&next.info.id, secret(&next), None)));
    from_file.prices(&[]).await.unwrap();
    assert_eq!(from_file.key_id(), Some(next.info.id.clone()));

    for vars in [
        vec![],
        vec![("ALTGATE_KEY_ID", id)],
        vec![("ALTGATE_KEY_ID", id), ("ALTGATE_KEY", key), ("ALTGATE_AUTH", "plain")],
        vec![("ALTGATE_KEY_ID", "not-an-id"), ("ALTGATE_KEY", key)],
    ] {
        env.set(&vars);
        let error = Client::from_env_with(&server.url, env.lookup()).unwrap_err();
        assert!(matches!(error, altgate_client::Error::Config(_)), "{vars:?}: {error}");
        assert!(!error.to_string().contains(key), "the key is never quoted");
    }
}

/// One thread runs the server and the client, so updates applied without
/// yielding overrun a connection's queue deterministically.
#[tokio::test]
async fn a_stream_reconnects_with_the_next_key() {
    use altgate_client::StreamEvent;
    use altgate_client::protocol::stream::ServerBody;

    let server = server_with(|c| c.market.stream_buffer = 4).await;
    let admin = server.admin_client().await;
    let first = create_key(&admin, json!({"name": "watcher", "scopes": ["read"]})).await;
    let watcher = Client::bearer(&server.url, secret(&first)).unwrap();
    let mut stream = watcher.stream(&["ticker:bitcoin".parse().unwrap()]).await.unwrap();
    let StreamEvent::Message(subscribed) = stream.next().await.unwrap() else { panic!("a message") };
    assert!(matches!(subscribed.body, ServerBody::Subscribed { .. }));

    // The key expires while the connection is open; the successor is given.
    let second = admin.rotate_key(&first.info.id, 0).await.unwrap();
    watcher.set_next_key(second.info.id.as_str(), secret(&second)).unwrap();

    // Overrun, the connection is closed; reopening it with the expired
    // key is refused, and the stream moves to the next key.
    for i in 0..20 {
        server.platform.apply_feed_update(common::minute_of(0, 100.0 + f64::from(i), false)).await.unwrap();
    }
    let close_code = loop {
        match stream.next().await.unwrap() {
            StreamEvent::Reconnected { close_code } => break close_code,
            StreamEvent::Message(_) | StreamEvent::Gap { .. } => {}
        }
    };
    assert_eq!(close_code, Some(4008));
    assert_eq!(watcher.key_id(), Some(second.info.id.clone()));
    let StreamEvent::Message(again) = stream.next().await.unwrap() else { panic!("a message") };
    assert!(matches!(again.body, ServerBody::Subscribed { .. }), "{again:?}");
    server.platform.apply_feed_update(common::minute_of(0, 150.0, false)).await.unwrap();
    let price = loop {
        if let StreamEvent::Message(message) = stream.next().await.unwrap()
            && let ServerBody::Ticker { data, .. } = message.body
        {
            break data.price;
        }
    };
    assert_eq!(price, 150.0);
}
