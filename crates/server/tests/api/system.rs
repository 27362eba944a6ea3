use std::time::Duration;

use altgate_protocol::{ErrorCode, ErrorCodeInfo, Health, ServerTime};
use reqwest::StatusCode;

use crate::helpers::{START_MS, TestApp};

#[tokio::test]
async fn time_comes_from_the_service_clock() {
    let app = TestApp::spawn().await;
    let time: ServerTime = app.get_ok("/v1/time").await;
    assert_eq!(time.server_time_ms, START_MS);
    app.clock.advance(Duration::from_millis(1_500));
    let time: ServerTime = app.get_ok("/v1/time").await;
    assert_eq!(time.server_time_ms, START_MS + 1_500);
    app.stop().await;
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let health: Health = app.get_ok("/healthz").await;
    assert_eq!(health.status, "ok");
    let ready: Health = app.get_ok("/readyz").await;
    assert_eq!(ready.status, "ready");
    app.stop().await;
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_sane_one_is_kept() {
    let app = TestApp::spawn().await;
    let id_of = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();

    let generated = id_of(&app.get("/healthz").await);
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    assert_ne!(generated, id_of(&app.get("/healthz").await), "fresh per request");

    let given = app.client.get(app.url("/v1/assets/nope")).header("x-request-id", "trace-42.a:b").send().await.unwrap();
    assert_eq!(id_of(&given), "trace-42.a:b");
    let problem: altgate_protocol::Problem = given.json().await.unwrap();
    assert_eq!(problem.request_id.as_deref(), Some("trace-42.a:b"));

    let hostile = app.client.get(app.url("/healthz")).header("x-request-id", "a b\tc").send().await.unwrap();
    assert_ne!(id_of(&hostile), "a b\tc", "unsafe ids are replaced");
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.get("/v1/assets/ethereum").await;
    }
    app.get("/v1/assets/not-a-coin").await;
    app.get("/no/such/route").await;
    let response = app.get_as(&app.admin.key, "/metrics").await;
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let text = response.text().await.unwrap();
    let line = |route: &str, status: u16| {
        format!("altgate_http_requests_total{{method=\"GET\",route=\"{route}\",status=\"{status}\"}}")
    };
    assert!(text.contains(&format!("{} 3", line("/v1/assets/{id}", 200))), "{text}");
    assert!(text.contains(&format!("{} 1", line("/v1/assets/{id}", 404))), "{text}");
    assert!(text.contains(&format!("{} 1", line("unmatched", 404))), "{text}");
    assert!(text.contains("altgate_http_request_duration_seconds_bucket"), "{text}");
    assert!(!text.contains("not-a-coin"), "raw paths never become labels");
    app.stop().await;
}

#[tokio::test]
async fn every_error_code_is_described_at_its_problem_type() {
    let app = TestApp::spawn().await;
    for &code in ErrorCode::ALL {
        let info: ErrorCodeInfo = app.get_ok(&format!("/problems/{code}")).await;
        assert_eq!(info.code, code.as_str());
        assert_eq!(info.status, code.status());
        assert!(!info.description.contains('\n'));
    }
    let problem = app.get_problem("/problems/no_such_code", StatusCode::NOT_FOUND).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::NotFound));
    app.stop().await;
}
