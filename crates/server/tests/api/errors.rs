use altgate_protocol::ErrorCode;
use proptest::prelude::*;
use reqwest::StatusCode;

use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn an_unknown_asset_is_a_404_asset_not_found() {
    let app = TestApp::spawn().await;
    let problem = app.get_problem("/v1/assets/not-a-coin", StatusCode::NOT_FOUND).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::AssetNotFound));
    assert_eq!(problem.instance.as_deref(), Some("/v1/assets/not-a-coin"));
    assert!(problem.detail.unwrap().contains("not-a-coin"));

    let problem = app.get_problem("/v2/nothing", StatusCode::NOT_FOUND).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::NotFound));
    app.stop().await;
}

#[tokio::test]
async fn malformed_parameters_are_a_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let cases = [
        ("/v1/assets?limit=abc", "limit"),
        ("/v1/assets?limit=0", "limit"),
        ("/v1/assets?limit=251", "limit"),
        ("/v1/assets?limit=5&limit=6", "limit"),
        ("/v1/assets?category=memecoin", "category"),
        ("/v1/assets?category=privacy&category=", "category"),
        ("/v1/assets?consensus=proof-of-history", "consensus"),
        ("/v1/assets?cursor=not-a-cursor", "cursor"),
        ("/v1/assets?q=", "q"),
        ("/v1/assets?symbol=%20", "symbol"),
        ("/v1/assets?colour=blue", "colour"),
        ("/v1/assets/Not%20An%20Id", "id"),
        ("/v1/assets/bitcoin?verbose=1", "verbose"),
        ("/v1/categories?limit=1", "limit"),
        ("/v1/time?tz=utc", "tz"),
    ];
    for (path, param) in cases {
        let problem = app.get_problem(path, StatusCode::BAD_REQUEST).await;
        assert_eq!(problem.error_code(), Some(ErrorCode::InvalidParameter), "{path}");
        assert_eq!(problem.param.as_deref(), Some(param), "{path}");
        assert!(problem.detail.unwrap().contains(&format!("`{param}`")), "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_oversized_body_is_a_413_whether_declared_or_streamed() {
    let app = TestApp::spawn().await;
    let limit = altgate_server::Config::default().max_body_bytes;
    let big = vec![b'x'; limit + 1];

    let declared = app.client.get(app.url("/v1/assets")).body(big.clone()).send().await.unwrap();
    let problem = assert_problem(declared, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::PayloadTooLarge));

    // A chunked body has no length up front; it is cut off while streaming.
    let (status, body) = send_chunked(&app, "/v1/assets", &big).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("\"code\":\"payload_too_large\""), "{body}");

    let fits = app.client.get(app.url("/v1/time")).body(vec![b'x'; limit]).send().await.unwrap();
    assert_eq!(fits.status(), StatusCode::OK, "a body at the limit is accepted");
    app.stop().await;
}

/// Sends `body` with chunked transfer encoding over a raw connection and
/// returns the status code and the response text.
async fn send_chunked(app: &TestApp, path: &str, body: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let mut request =
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            .into_bytes();
    for chunk in body.chunks(64 * 1024) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    stream.write_all(&request).await.unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn a_wrong_method_is_a_405_that_says_what_is_allowed() {
    let app = TestApp::spawn().await;
    let response = app.client.delete(app.url("/v1/assets/bitcoin")).send().await.unwrap();
    let allow = response.headers().get("allow").unwrap().to_str().unwrap().to_owned();
    assert!(allow.contains("GET"), "{allow}");
    let problem = assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::MethodNotAllowed));
    app.stop().await;
}

/// Whatever the path or query, the answer is never a 5xx.
#[test]
fn no_bad_input_gives_a_server_error() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(TestApp::spawn());
    let segment = "([a-zA-Z0-9._~-]|%[0-9A-Fa-f]{2}|%|[+!$&'()*,;=:@]){0,12}";
    let path = proptest::collection::vec(
        prop_oneof![
            Just("v1".to_owned()),
            Just("assets".to_owned()),
            Just("categories".to_owned()),
            segment.prop_map(String::from)
        ],
        1..4,
    );
    let query = "([a-z]{1,8}=([a-zA-Z0-9%+-]|%[0-9A-F]{2}){0,10}&?){0,4}";
    let config = ProptestConfig { cases: 200, ..ProptestConfig::default() };
    proptest!(config, |(segments in path, q in query)| {
        let url = format!("/{}?{q}", segments.join("/"));
        let status = runtime.block_on(async { app.get(&url).await.status() });
        prop_assert!(!status.is_server_error(), "{url} gave {status}");
    });
    runtime.block_on(app.stop());
}
