//! The WebSocket stream and the live path of feed updates.

use altgate_market::{Candle, CandleParts, Interval};
use altgate_protocol::stream::{Channel, ServerBody, ServerMessage};
use altgate_protocol::{AssetId, Ohlcv, Prices, Source};
use altgate_server::feeds::FeedUpdate;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::{START_MS, TestApp};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(app: &TestApp, key: Option<&str>) -> Socket {
    let url = app.url("/v1/stream").replace("http://", "ws://");
    let mut request = url.into_client_request().unwrap();
    if let Some(key) = key {
        request.headers_mut().insert("x-api-key", key.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

async fn next(socket: &mut Socket) -> ServerMessage {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the stream is open")
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

async fn send(socket: &mut Socket, json: &str) {
    socket.send(Message::Text(json.into())).await.unwrap();
}

fn minute(at: i64, close: f64, closed: bool) -> FeedUpdate {
    let parts = CandleParts {
        open_time: at,
        open: 100.0,
        high: close.max(100.0) + 1.0,
        low: close.min(100.0) - 1.0,
        close,
        volume: 2.0,
        quote_volume: Some(200.0),
        trades: Some(4),
    };
    FeedUpdate {
        asset: AssetId::parse("bitcoin").unwrap(),
        interval: Interval::M1,
        candle: Candle::new(Interval::M1, parts).unwrap(),
        closed,
        source: Source::Binance,
    }
}

#[tokio::test]
async fn subscribers_get_numbered_live_candles_at_every_interval_and_tickers() {
    let app = TestApp::spawn().await;
    let hour = START_MS; // 2026-01-01T00:00Z
    // 58 closed minutes of the first hour.
    for m in 0..58 {
        app.platform.apply_feed_update(minute(hour + m * 60_000, 100.0 + m as f64, true)).await.unwrap();
    }
    let mut socket = connect(&app, Some(&app.read_key)).await;
    let ready = next(&mut socket).await;
    assert_eq!(ready.seq, 1);
    assert!(matches!(ready.body, ServerBody::Ready { .. }));
    send(&mut socket, r#"{"op":"subscribe","channels":["ticker:bitcoin","candles:bitcoin:1m","candles:bitcoin:1h"]}"#)
        .await;
    let subscribed = next(&mut socket).await;
    assert_eq!(subscribed.seq, 2);
    let ServerBody::Subscribed { channels } = subscribed.body else { panic!("{subscribed:?}") };
    assert_eq!(channels.len(), 3);

    // Minute 58 in progress: its 1m candle, the hour so far, the ticker.
    app.platform.apply_feed_update(minute(hour + 58 * 60_000, 170.0, false)).await.unwrap();
    let mut seen = Vec::new();
    for seq in 3..=5 {
        let message = next(&mut socket).await;
        assert_eq!(message.seq, seq, "no gaps");
        seen.push(message.body);
    }
    let hourly = seen.iter().find_map(|b| match b {
        ServerBody::Candle { channel: Channel::Candles(_, Interval::H1), closed, data } => {
            Some((*closed, data.clone()))
        }
        _ => None,
    });
    let (closed, hourly) = hourly.expect("the hour in progress");
    assert!(!closed);
    assert_eq!((hourly.open, hourly.close, hourly.volume), (100.0, 170.0, 59.0 * 2.0));
    assert_eq!(hourly.high, 171.0);
    let ticker = seen.iter().find_map(|b| match b {
        ServerBody::Ticker { data, .. } => Some(data.clone()),
        _ => None,
    });
    assert_eq!(ticker.expect("a ticker").price, 170.0);

    // The same in-progress hour is the last OHLCV candle, and the price.
    let page: Ohlcv = app.get_ok("/v1/assets/bitcoin/ohlcv?interval=1h").await;
    assert_eq!(page.data.len(), 1);
    assert_eq!((page.data[0].close, page.data[0].volume), (170.0, 118.0));
    let prices: Prices = app.get_ok("/v1/prices?ids=bitcoin").await;
    assert!(!prices.data[0].stale);

    // Minutes 58 and 59 close: the last one closes the hour too.
    app.platform.apply_feed_update(minute(hour + 58 * 60_000, 171.0, true)).await.unwrap();
    app.platform.apply_feed_update(minute(hour + 59 * 60_000, 172.0, true)).await.unwrap();
    let mut closed_hours = Vec::new();
    let mut seq = 5;
    while closed_hours.is_empty() {
        let message = next(&mut socket).await;
        seq += 1;
        assert_eq!(message.seq, seq, "no gaps");
        if let ServerBody::Candle { channel: Channel::Candles(_, Interval::H1), closed: true, data } = message.body {
            closed_hours.push(data);
        }
    }
    assert_eq!((closed_hours[0].close, closed_hours[0].volume), (172.0, 120.0));

    // Unsubscribing everything leaves the connection quiet but alive.
    send(
        &mut socket,
        r#"{"op":"unsubscribe","channels":["ticker:bitcoin","candles:bitcoin:1m","candles:bitcoin:1h"]}"#,
    )
    .await;
    loop {
        if let ServerBody::Unsubscribed { channels } = next(&mut socket).await.body {
            assert!(channels.is_empty());
            break;
        }
    }
    send(&mut socket, r#"{"op":"ping"}"#).await;
    assert_eq!(next(&mut socket).await.body, ServerBody::Pong);
}

#[tokio::test]
async fn the_stream_authenticates_by_first_message_and_refuses_bad_input() {
    let app = TestApp::spawn().await;
    let mut socket = connect(&app, None).await;
    send(&mut socket, &format!(r#"{{"op":"auth","key":"{}"}}"#, app.read_key)).await;
    assert!(matches!(next(&mut socket).await.body, ServerBody::Ready { .. }));

    send(&mut socket, r#"{"op":"subscribe","channels":["ticker:no-such-coin"]}"#).await;
    let ServerBody::Error { code, .. } = next(&mut socket).await.body else { panic!() };
    assert_eq!(code.as_str(), "asset_not_found");
    send(&mut socket, r#"{"op":"subscribe","channels":["candles:bitcoin:2h"]}"#).await;
    let ServerBody::Error { code, .. } = next(&mut socket).await.body else { panic!() };
    assert_eq!(code.as_str(), "invalid_body");
    send(&mut socket, "not json").await;
    let ServerBody::Error { code, .. } = next(&mut socket).await.body else { panic!() };
    assert_eq!(code.as_str(), "invalid_body");

    // A wrong key: an error, then close code 4001.
    let mut socket = connect(&app, None).await;
    send(&mut socket, r#"{"op":"auth","key":"ag_live_nope"}"#).await;
    let ServerBody::Error { code, .. } = next(&mut socket).await.body else { panic!() };
    assert_eq!(code.as_str(), "invalid_key_format");
    let close = socket.next().await.unwrap().unwrap();
    let Message::Close(Some(frame)) = close else { panic!("{close:?}") };
    assert_eq!(u16::from(frame.code), 4001);

    // A signature header makes the upgrade a signed request, refused when
    // malformed as on every endpoint, not an upgrade to authenticate later.
    let mut request = app.url("/v1/stream").replace("http://", "ws://").into_client_request().unwrap();
    request.headers_mut().insert("x-ag-signature", "c2lnbmF0dXJl".parse().unwrap());
    let error = tokio_tungstenite::connect_async(request).await.unwrap_err();
    let tokio_tungstenite::tungstenite::Error::Http(response) = error else { panic!("{error:?}") };
    assert_eq!(response.status().as_u16(), 400);
    let body = String::from_utf8(response.into_body().unwrap_or_default()).unwrap();
    assert!(body.contains("malformed_signature_header"), "{body}");

    // A plain GET is not an upgrade.
    let response = app.get("/v1/stream").await;
    assert_eq!(response.status(), reqwest::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_demo_serves_simulated_history_for_every_catalog_asset() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = altgate_server::Config { data_dir: dir.path().to_owned(), ..crate::helpers::test_config() };
    config.feeds.simulator.enabled = true;
    config.feeds.simulator.history_days = 2;
    let app = TestApp::spawn_with(config.clone()).await;
    let prices: Prices = app.get_ok("/v1/prices").await;
    let catalog = altgate_market::Catalog::builtin();
    assert_eq!(prices.data.len(), catalog.assets().len());
    assert!(prices.data.iter().all(|t| t.source == Source::Simulated && t.price > 0.0));
    let tether = prices.data.iter().find(|t| t.asset_id.as_str() == "tether").unwrap();
    assert!((tether.price - 1.0).abs() < 0.05, "a stablecoin near its peg: {}", tether.price);

    let hours: Ohlcv = app.get_ok("/v1/assets/ethereum/ohlcv?interval=1h&limit=1000").await;
    // Two days of hours up to the anchor, then (once the first tick is in)
    // the hour in progress.
    assert!((48..=49).contains(&hours.data.len()), "{}", hours.data.len());
    assert_eq!(hours.data[47].open_time.as_millis(), crate::helpers::START_MS - 3_600_000);
    assert!(hours.data.windows(2).all(|w| w[1].open_time.as_millis() - w[0].open_time.as_millis() == 3_600_000));
    let days: Ohlcv = app.get_ok("/v1/assets/ethereum/ohlcv?interval=1d").await;
    assert!((2..=3).contains(&days.data.len()));
    // The seed and anchor pin the path: a restart serves the same history.
    let first = hours.data[..48].to_vec();
    app.stop().await;
    let again = TestApp::spawn_with(config).await;
    let hours: Ohlcv = again.get_ok("/v1/assets/ethereum/ohlcv?interval=1h&limit=1000").await;
    assert_eq!(hours.data[..48], first);
    assert!(dir.path().join(altgate_server::feeds::simulator::STATE_FILE).is_file());
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_its_buffer_is_closed_with_4008() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = altgate_server::Config { data_dir: dir.path().to_owned(), ..crate::helpers::test_config() };
    config.market.stream_buffer = 16;
    let app = TestApp::spawn_with(config).await;
    let mut slow = connect(&app, Some(&app.read_key)).await;
    assert!(matches!(next(&mut slow).await.body, ServerBody::Ready { .. }));
    send(&mut slow, r#"{"op":"subscribe","channels":["ticker:bitcoin"]}"#).await;
    assert!(matches!(next(&mut slow).await.body, ServerBody::Subscribed { .. }));

    // This test runs the server on its own thread: the updates below are
    // applied without yielding, so the connection's task cannot take 100
    // ticker events off a queue of 16 in time.
    for s in 0..100 {
        app.platform.apply_feed_update(minute(START_MS, 100.0 + f64::from(s), false)).await.unwrap();
    }
    let close = loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), slow.next()).await.unwrap();
        match message {
            Some(Ok(Message::Close(frame))) => break frame.expect("a close frame with a code"),
            Some(Ok(_)) => {}
            other => panic!("the server closed without a close frame: {other:?}"),
        }
    };
    assert_eq!(u16::from(close.code), 4008);
    assert!(close.reason.as_str().starts_with("too slow"), "{}", close.reason);

    // Others are unaffected.
    let mut fresh = connect(&app, Some(&app.read_key)).await;
    assert!(matches!(next(&mut fresh).await.body, ServerBody::Ready { .. }));
}
