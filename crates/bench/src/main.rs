//! The `altgate-bench` binary: parse, run, print, exit.

use std::process::ExitCode;

use altgate_bench::{Args, Report, run};
use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let (json, allow_errors) = (args.json, args.allow_errors);
    let plan = args.into_plan().unwrap_or_else(|e| e.exit());
    match run(&plan).await {
        Ok(report) => {
            print_report(&report, json);
            if report.failed() && !allow_errors {
                fail(&format!(
                    "{:.2}% of requests failed (more than 1%); --allow-errors accepts that",
                    report.failure_ratio() * 100.0
                ));
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            fail(&format!("{error:#}"));
            ExitCode::FAILURE
        }
    }
}

#[allow(clippy::print_stdout)]
fn print_report(report: &Report, json: bool) {
    if json {
        println!("{}", report.to_json());
    } else {
        println!("{report}");
    }
}

#[allow(clippy::print_stderr)]
fn fail(message: &str) {
    eprintln!("altgate-bench: error: {message}");
}
