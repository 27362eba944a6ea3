//! The `altgate-bench` binary: parse, run, print, exit.

use std::process::ExitCode;

use altgate_bench::{Args, Command, run, run_alternating, run_stream};
use clap::Parser;

/// The server's allocator: the tool allocates per request as the server
/// does, and glibc's allocator would spend CPU the server then lacks when
/// both share a machine.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let (json, allow_errors) = (args.json, args.allow_errors);
    let problems = match args.into_command().unwrap_or_else(|e| e.exit()) {
        Command::Http(plan) if plan.baseline.is_some() => run_alternating(&plan).await.map(|report| {
            print(json, || report.to_json(), || report.to_string());
            too_many_failures(report.failed(), report.failure_ratio())
        }),
        Command::Http(plan) => run(&plan).await.map(|report| {
            print(json, || report.to_json(), || report.to_string());
            too_many_failures(report.failed(), report.failure_ratio())
        }),
        Command::Stream(plan) => run_stream(&plan).await.map(|report| {
            print(json, || report.to_json(), || report.to_string());
            report.problems()
        }),
    };
    match problems {
        Ok(problems) if problems.is_empty() || allow_errors => ExitCode::SUCCESS,
        Ok(problems) => {
            fail(&format!("{}; --allow-errors accepts that", problems.join(", ")));
            ExitCode::FAILURE
        }
        Err(error) => {
            fail(&format!("{error:#}"));
            ExitCode::FAILURE
        }
    }
}

/// The run's problem when more than 1% of its requests failed.
fn too_many_failures(failed: bool, ratio: f64) -> Vec<String> {
    if failed { vec![format!("{:.2}% of requests failed (more than 1%)", ratio * 100.0)] } else { Vec::new() }
}

#[allow(clippy::print_stdout)]
fn print(json: bool, as_json: impl FnOnce() -> String, as_text: impl FnOnce() -> String) {
    if json {
        println!("{}", as_json());
    } else {
        println!("{}", as_text());
    }
}

#[allow(clippy::print_stderr)]
fn fail(message: &str) {
    eprintln!("altgate-bench: error: {message}");
}
