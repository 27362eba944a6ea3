use altgate_protocol::ErrorCode;
use serde_json::Value;

use crate::helpers::TestApp;

/// Fails when the API changes without the snapshot being reviewed and
/// updated (`cargo insta review`, or `INSTA_UPDATE=always`).
#[tokio::test]
async fn the_served_document_matches_the_snapshot() {
    let app = TestApp::spawn().await;
    let document: Value = app.get_ok("/openapi.json").await;
    assert_eq!(document["openapi"], "3.1.0");
    insta::assert_json_snapshot!("openapi", document);
    app.stop().await;
}

#[tokio::test]
async fn every_operation_documents_its_error_responses_as_problems() {
    let document: Value = serde_json::to_value(altgate_server::openapi_document()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    for expected in [
        "/v1/assets",
        "/v1/assets/{id}",
        "/v1/categories",
        "/v1/time",
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
    ] {
        assert!(paths.contains_key(expected), "{expected} is documented");
    }
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            for status in ["405", "413", "500"] {
                assert!(responses.contains_key(status), "{method} {path} lacks {status}");
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let content = response["content"].as_object().unwrap();
                    assert!(
                        content.contains_key("application/problem+json"),
                        "{method} {path} {status} is a problem document"
                    );
                }
            }
        }
    }
    let codes = &document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"];
    let codes: Vec<&str> = codes.as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    let table: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, table, "the document lists the whole error table");
}

/// Every operation the document marks as needing a key refuses a request
/// without one, and no other operation does: the document and the code
/// cannot disagree about what is open.
#[tokio::test]
async fn the_documented_security_matches_what_the_server_enforces() {
    let app = TestApp::spawn().await;
    let document: Value = serde_json::to_value(altgate_server::openapi_document()).unwrap();
    for (path, item) in document["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", "key_abcdefgh").replace("{code}", "not_found");
        for (method, operation) in item.as_object().unwrap() {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let secured = operation.get("security").is_some();
            let response = app.client.request(method.clone(), app.url(&concrete)).send().await.unwrap();
            let unauthorized = response.status() == reqwest::StatusCode::UNAUTHORIZED;
            assert_eq!(
                secured,
                unauthorized,
                "{method} {path}: documented secured={secured}, got {}",
                response.status()
            );
        }
    }
    app.stop().await;
}
