//! A real `altgate serve` process for the CLI tests.

// Each test binary uses a different part of these helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// A running `altgate serve` whose stderr lines arrive on a channel.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) addr: String,
    log: Receiver<String>,
    _stdout: BufReader<ChildStdout>,
    pub(crate) dir: tempfile::TempDir,
}

impl Server {
    pub(crate) fn start() -> Server {
        Server::start_in(tempfile::tempdir().unwrap())
    }

    /// Starts on `dir`, which the server keeps alive.
    pub(crate) fn start_in(dir: tempfile::TempDir) -> Server {
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
        Server { child, addr, log, _stdout: stdout, dir }
    }

    /// Blocks until a log line contains every one of `needles`.
    pub(crate) fn wait_for_log(&self, needles: &[&str]) -> String {
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

    pub(crate) fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }
}

impl Server {
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits for it to exit.
    pub(crate) fn stop(mut self) -> tempfile::TempDir {
        self.terminate();
        assert!(self.child.wait().unwrap().success());
        self.dir
    }
}

/// Runs `altgate` with `args` and extra environment. Unless `env` says
/// otherwise, its profile directory is a fresh empty one, so no profile of
/// the machine running the tests is used.
pub(crate) fn altgate(args: &[&str], env: &[(&str, &str)]) -> Output {
    let config = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_altgate"));
    command
        .args(args)
        .env_remove("ALTGATE_KEY")
        .env_remove("ALTGATE_KEY_ID")
        .env_remove("ALTGATE_URL")
        .env_remove("ALTGATE_PROFILE")
        .env("XDG_CONFIG_HOME", config.path());
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// `altgate admin init` on `dir`, parsed.
pub(crate) fn init(dir: &Path) -> serde_json::Value {
    let output = altgate(&["admin", "init", "--data-dir", dir.to_str().unwrap()], &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A server on a fresh data directory with an admin, and the admin's
/// credentials (`altgate admin init`, parsed).
pub(crate) fn server_with_admin() -> (Server, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let admin = init(dir.path());
    (Server::start_in(dir), admin)
}

/// The environment that makes `altgate` act as `admin` (as printed by
/// `admin init`) against the server at `url`.
pub(crate) fn admin_env<'a>(url: &'a str, admin: &'a serde_json::Value) -> [(&'static str, &'a str); 3] {
    let field = |name: &str| admin[name].as_str().unwrap();
    [("ALTGATE_URL", url), ("ALTGATE_KEY", field("key")), ("ALTGATE_KEY_ID", field("key_id"))]
}
