//! A bot that keeps running while its key is rotated and the old one
//! expires.
//!
//! ```sh
//! printf 'key_id = "key_…"\nkey = "ag_live_…"\n' > /tmp/bot.toml
//! ALTGATE_URL=http://127.0.0.1:8080 ALTGATE_CREDENTIALS_FILE=/tmp/bot.toml \
//!     cargo run -p altgate-client --example rotate_without_downtime
//! ```
//!
//! While it runs, rotate the key (`altgate keys rotate key_… --grace 60`)
//! and add the new key to the file as `next_key_id` and `next_key`, or
//! simply replace `key_id` and `key`: the bot rereads the file when it
//! changes, switches to the successor when the server says the old key has
//! expired, and never fails a request on the way. Without
//! `ALTGATE_CREDENTIALS_FILE`, the key comes from `ALTGATE_KEY_ID` and
//! `ALTGATE_KEY` (with `ALTGATE_AUTH=bearer` to send it as a bearer key).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Duration;

use altgate_client::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("ALTGATE_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".to_owned());
    let client = Client::from_env(&url)?;
    client.sync_clock().await?;
    let rounds: u32 = std::env::var("ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(u32::MAX);
    for _ in 0..rounds {
        match client.prices(&["bitcoin"]).await {
            Ok(prices) => {
                let price = prices.data.first().map(|t| t.price);
                let key = client.key_id().map(|id| id.to_string()).unwrap_or_default();
                println!("{key} bitcoin {price:?}");
            }
            Err(error) => eprintln!("request failed: {error}"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(())
}
