//! `altgate serve` as a real process: start-up, configuration errors and
//! graceful shutdown on SIGTERM.

// Helpers of a test binary are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use common::Server;

#[test]
fn sigterm_lets_an_in_flight_request_finish_then_exits_cleanly() {
    let mut server = Server::start();
    let mut conn = TcpStream::connect(&server.addr).unwrap();
    let head =
        format!("GET /v1/time HTTP/1.1\r\nHost: {}\r\nContent-Length: 8\r\nConnection: close\r\n\r\n", server.addr);
    conn.write_all(head.as_bytes()).unwrap();
    conn.write_all(b"half").unwrap();
    // The server has the request and is waiting for the rest of its body.
    server.wait_for_log(&["received", "/v1/time"]);

    server.terminate();
    server.wait_for_log(&["shutdown signal received"]);

    conn.write_all(b"done").unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("server_time_ms"), "{response}");

    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status}");
    server.wait_for_log(&["stopped"]);
}

#[test]
fn a_bad_setting_stops_start_up_with_an_error_naming_the_key() {
    let output = Command::new(env!("CARGO_BIN_EXE_altgate"))
        .args(["serve", "--data-dir", "/nonexistent/never-created"])
        .env("ALTGATE_MAX_BODY_BYTES", "lots")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("max_body_bytes") && stderr.contains("ALTGATE_MAX_BODY_BYTES"), "{stderr}");
}
