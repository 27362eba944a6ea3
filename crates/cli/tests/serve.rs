//! `altgate serve` as a real process: start-up, configuration errors and
//! graceful shutdown on SIGTERM.

// Helpers of a test binary are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// A running `altgate serve` whose stderr lines arrive on a channel.
struct Server {
    child: Child,
    addr: String,
    log: Receiver<String>,
    _stdout: BufReader<std::process::ChildStdout>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_altgate"))
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json", "--data-dir"])
            .arg(dir.path())
            .env("ALTGATE_LOG", "altgate_server=debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        stdout.read_line(&mut banner).unwrap();
        let addr = banner
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {banner:?}"))
            .to_owned();
        let stderr = child.stderr.take().unwrap();
        let (tx, log) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Server { child, addr, log, _stdout: stdout, _dir: dir }
    }

    /// Blocks until a log line contains every one of `needles`.
    fn wait_for_log(&self, needles: &[&str]) -> String {
        loop {
            let line = self
                .log
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no log line with {needles:?}"));
            if needles.iter().all(|n| line.contains(n)) {
                return line;
            }
        }
    }

    fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }
}

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
