use proptest::prelude::*;

use super::*;
use crate::feeds::binance::replay::{Fixture, WireKline};

/// The kline event of Binance's documentation, in a combined-stream envelope.
const DOCUMENTED: &str = r#"{"stream":"bnbbtc@kline_1m","data":{"e":"kline","E":1672515782136,"s":"BNBBTC","k":{"t":1672515780000,"T":1672515839999,"s":"BNBBTC","i":"1m","f":100,"L":200,"o":"0.0010","c":"0.0020","h":"0.0025","l":"0.0015","v":"1000","n":100,"x":false,"q":"1.0000","V":"500","Q":"0.500","B":"123456"}}}"#;

fn kline_of(frame: Frame) -> StreamKline {
    match frame {
        Frame::Kline(kline) => kline,
        other => panic!("not a kline: {other:?}"),
    }
}

#[test]
fn reads_the_documented_kline_event() {
    let kline = kline_of(parse_frame(DOCUMENTED).expect("valid"));
    assert_eq!(kline.symbol, "BNBBTC");
    assert_eq!(kline.interval, Interval::M1);
    assert!(!kline.closed);
    assert_eq!(kline.kline.close_time, 1_672_515_839_999);
    let parts = CandleParts {
        open_time: 1_672_515_780_000,
        open: 0.001,
        high: 0.0025,
        low: 0.0015,
        close: 0.002,
        volume: 1000.0,
        quote_volume: Some(1.0),
        trades: Some(100),
    };
    assert_eq!(kline.kline.parts, parts);
    let closed = DOCUMENTED.replace(r#""x":false"#, r#""x":true"#);
    assert!(kline_of(parse_frame(&closed).expect("valid")).closed);
}

#[test]
fn other_events_are_not_for_the_connector() {
    let frames = [
        r#"{"stream":"nknusdt@depth@100ms","data":{"e":"depthUpdate","E":1633998512068,"s":"NKNUSDT","U":1,"u":2,"b":[["0.35","6195.0"]],"a":[]}}"#,
        r#"{"stream":"nknusdt@bookTicker","data":{"u":499869768,"s":"NKNUSDT","b":"0.35210000","B":"672.00000000","a":"0.35260000","A":"3199.00000000"}}"#,
        r#"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"1.0","q":"1.0","f":1,"l":1,"T":1,"m":true,"M":true}}"#,
        r#"{"stream":"btcusdt@kline_3m","data":{"e":"kline","E":1,"s":"BTCUSDT","k":{"t":0,"T":179999,"s":"BTCUSDT","i":"3m","o":"1","c":"1","h":"1","l":"1","v":"1","n":1,"x":true,"q":"1"}}}"#,
    ];
    for frame in frames {
        assert_eq!(parse_frame(frame).expect(frame), Frame::Other, "{frame}");
    }
    let shutdown = r#"{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}"#;
    assert_eq!(parse_frame(shutdown).expect("valid"), Frame::ServerShutdown);
}

#[test]
fn every_recorded_frame_reads_and_only_the_klines_are_klines() {
    let Some(fixture) = Fixture::load() else { return };
    let mut klines = Vec::new();
    for frame in &fixture.recorded {
        match parse_frame(frame) {
            Ok(Frame::Kline(kline)) => klines.push(kline),
            Ok(Frame::Other) => {}
            other => panic!("{frame}: {other:?}"),
        }
    }
    assert!(fixture.recorded.len() > 250);
    let symbols: Vec<&str> = klines.iter().map(|kline| kline.symbol.as_str()).collect();
    assert_eq!(symbols, ["NKNUSDT", "LRCBTC"]);
    let nkn = &klines[0].kline.parts;
    assert_eq!((nkn.open, nkn.close, nkn.volume, nkn.trades), (0.3527, 0.3528, 25877.0, Some(30)));
}

/// A frame and a test of the error it must give.
type Case<'a> = (&'a str, fn(&WireError) -> bool);

#[test]
fn malformed_frames_say_why() {
    let cases: [Case<'_>; 7] = [
        ("not json", |e| matches!(e, WireError::Json(_))),
        (r#"{"result":null,"id":1}"#, |e| matches!(e, WireError::Envelope)),
        (r#"{"stream":"x","data":[1,2]}"#, |e| matches!(e, WireError::Envelope)),
        (r#"{"stream":"btcusdt@kline_1m","data":{"e":"kline","s":"BTCUSDT","k":{"t":"soon"}}}"#, |e| {
            matches!(e, WireError::Kline(_))
        }),
        (&DOCUMENTED.replacen(r#""o":"0.0010""#, r#""o":"cheap""#, 1), |e| {
            matches!(e, WireError::Decimal { field: "o", .. })
        }),
        (&DOCUMENTED.replacen(r#""s":"BNBBTC","i""#, r#""s":"ETHBTC","i""#, 1), |e| {
            matches!(e, WireError::SymbolMismatch { .. })
        }),
        (&DOCUMENTED.replacen(r#""n":100"#, r#""n":-1"#, 1), |e| matches!(e, WireError::Kline(_))),
    ];
    for (frame, expected) in cases {
        let error = parse_frame(frame).expect_err(frame);
        assert!(expected(&error), "{frame}: {error}");
    }
}

#[test]
fn quoted_values_are_clipped() {
    let long = "9".repeat(500);
    let frame = DOCUMENTED.replacen(r#""o":"0.0010""#, &format!(r#""o":"{long}x""#), 1);
    let message = parse_frame(&frame).expect_err("not a decimal").to_string();
    assert!(message.len() < 100, "{message}");
}

#[test]
fn reads_rest_rows() {
    let documented = br#"[[1499040000000,"0.01634790","0.80000000","0.01575800","0.01577100","148976.11427815",1499644799999,"2434.19055334",308,"1756.87402397","28.46694368","0"]]"#;
    let rows = parse_rest_klines(documented).expect("valid");
    let parts = CandleParts {
        open_time: 1_499_040_000_000,
        open: 0.016_347_9,
        high: 0.8,
        low: 0.015_758,
        close: 0.015_771,
        volume: 148_976.114_278_15,
        quote_volume: Some(2_434.190_553_34),
        trades: Some(308),
    };
    assert_eq!(rows, [Kline { parts, close_time: 1_499_644_799_999 }]);
    // Columns Binance may add later are ignored; fewer than nine are an error.
    let longer = br#"[[0,"1","1","1","1","1",59999,"1",1,"1","1","0","new",{"x":1}]]"#;
    assert_eq!(parse_rest_klines(longer).expect("valid").len(), 1);
    assert!(parse_rest_klines(br#"[[0,"1","1","1","1","1",59999,"1"]]"#).is_err());
    assert!(parse_rest_klines(br#"[[0,"1","1","1","one","1",59999,"1",1]]"#).is_err());
    assert!(parse_rest_klines(br#"{"code":-1121,"msg":"Invalid symbol."}"#).is_err());
    assert_eq!(parse_rest_klines(b"[]").expect("valid"), []);
}

#[test]
fn reads_the_recorded_rest_klines() {
    let Some(fixture) = Fixture::load() else { return };
    let body = serde_json::to_vec(&fixture.rows).expect("serialise");
    let rows = parse_rest_klines(&body).expect("valid");
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[0].parts.open_time, 1_634_943_780_000);
    assert_eq!(rows[9].parts.open_time, 1_634_944_320_000);
    assert_eq!(rows[9].close_time, 1_634_944_379_999);
    assert_eq!(rows[9].parts.quote_volume, Some(2_875.424_499));
}

#[test]
fn stream_url_lists_lower_case_kline_streams() {
    let url = stream_url("wss://stream.binance.com:9443/", ["BTCUSDT", "ethusdt"], Interval::H1);
    assert_eq!(url, "wss://stream.binance.com:9443/stream?streams=btcusdt@kline_1h/ethusdt@kline_1h");
}

fn positive() -> impl Strategy<Value = f64> {
    prop_oneof![1e-8_f64..1.0, 1.0_f64..1e7]
}

prop_compose! {
    fn stream_klines()(
        symbol in "[A-Z0-9]{2,12}",
        interval in proptest::sample::select(Interval::ALL.to_vec()),
        open_time in 0_i64..4_000_000_000_000,
        length in 1_i64..1_000_000_000,
        prices in [positive(), positive(), positive(), positive()],
        volume in 0.0_f64..1e12,
        quote_volume in 0.0_f64..1e15,
        trades in any::<u64>(),
        closed in any::<bool>(),
    ) -> StreamKline {
        let parts = CandleParts {
            open_time,
            open: prices[0],
            high: prices[1],
            low: prices[2],
            close: prices[3],
            volume,
            quote_volume: Some(quote_volume),
            trades: Some(trades),
        };
        let kline = Kline { parts, close_time: open_time + length };
        StreamKline { symbol, interval, closed, kline }
    }
}

fn render(kline: &StreamKline) -> String {
    let parts = &kline.kline.parts;
    WireKline {
        symbol: kline.symbol.clone(),
        interval: kline.interval.as_str().to_owned(),
        event_time: kline.kline.close_time,
        open_time: parts.open_time,
        close_time: kline.kline.close_time,
        first_trade: 1,
        last_trade: 2,
        open: parts.open.to_string(),
        high: parts.high.to_string(),
        low: parts.low.to_string(),
        close: parts.close.to_string(),
        volume: parts.volume.to_string(),
        quote_volume: parts.quote_volume.unwrap_or_default().to_string(),
        trades: parts.trades.unwrap_or_default(),
        taker_volume: "0".to_owned(),
        taker_quote_volume: "0".to_owned(),
        closed: kline.closed,
    }
    .render()
}

proptest! {
    #[test]
    fn rendered_klines_read_back_exactly(kline in stream_klines()) {
        let frame = render(&kline);
        prop_assert_eq!(parse_frame(&frame).map_err(|e| TestCaseError::fail(e.to_string()))?, Frame::Kline(kline));
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_frame(&String::from_utf8_lossy(&bytes));
        let _ = parse_rest_klines(&bytes);
    }

    #[test]
    fn damaged_klines_never_panic(kline in stream_klines(), cut in any::<prop::sample::Index>(), junk in "[\\x00-\\x7f]{0,8}") {
        let frame = render(&kline);
        let at = cut.index(frame.len() + 1);
        let damaged = format!("{}{junk}{}", &frame[..at], frame[at..].get(junk.len()..).unwrap_or_default());
        let _ = parse_frame(&damaged);
        let _ = parse_frame(&frame[..at]);
    }
}
