//! What is sent again after a transport error: reads, never writes.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use altgate_client::protocol::{ApiKey, Environment, KeyId, RevokedKeys};
use altgate_client::{Client, Error};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// A server that reads each request and hangs up without answering,
/// counting the connections it was sent.
async fn hanging_up() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            counted.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0u8; 4096];
            let _ = socket.read(&mut buffer).await;
        }
    });
    (url, connections)
}

fn client(url: &str) -> Client {
    let key = ApiKey::from_entropy(Environment::Test, &[5; 32]);
    Client::new(url, KeyId::from_entropy(&[5; 12]).as_str(), key.expose_secret()).unwrap()
}

#[tokio::test]
async fn a_write_is_sent_once_and_a_read_three_times_through_transport_errors() {
    let (url, connections) = hanging_up().await;
    let client = client(&url);

    let account = "acct_0WHQgCG3VJHJ1hQqs".parse().unwrap();
    let write: Result<RevokedKeys, Error> = client.revoke_all_keys(&account).await;
    assert!(matches!(write, Err(Error::Transport(_))), "{write:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1, "a POST is never sent again");

    let read = client.prices(&[]).await;
    assert!(matches!(read, Err(Error::Transport(_))), "{read:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1 + 3, "a GET is tried three times");
}
