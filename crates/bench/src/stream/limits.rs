//! The open-file limit: every subscriber holds a socket, and running out
//! half-way through the ramp would show up as connect failures that look
//! like the server's fault.

/// Descriptors the process needs besides the sockets: stdio, the runtime's
/// epoll and wakers, the resolver and some slack.
pub(crate) const SPARE_DESCRIPTORS: u64 = 256;

/// The soft and hard limits on open files, `None` meaning unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenFiles {
    pub(crate) soft: Option<u64>,
    pub(crate) hard: Option<u64>,
}

/// The process's open-file limits, read from `/proc/self/limits`; `None`
/// where that file does not exist (not Linux) or cannot be read.
pub(crate) fn open_files() -> Option<OpenFiles> {
    parse_limits(&std::fs::read_to_string("/proc/self/limits").ok()?)
}

/// Reads the `Max open files` row of a `/proc/<pid>/limits` table.
fn parse_limits(table: &str) -> Option<OpenFiles> {
    let row = table.lines().find_map(|line| line.strip_prefix("Max open files"))?;
    let mut fields = row.split_whitespace();
    let value = |field: Option<&str>| -> Option<Option<u64>> {
        match field? {
            "unlimited" => Some(None),
            n => n.parse().ok().map(Some),
        }
    };
    Some(OpenFiles { soft: value(fields.next())?, hard: value(fields.next())? })
}

/// Checks that `sockets` connections fit under the soft limit; the error
/// says what to raise and to what.
pub(crate) fn check(limits: Option<OpenFiles>, sockets: u64) -> Result<(), String> {
    let Some(OpenFiles { soft: Some(soft), hard }) = limits else { return Ok(()) };
    let needed = sockets + SPARE_DESCRIPTORS;
    if soft >= needed {
        return Ok(());
    }
    // Room for a server started from the same shell, which needs as many.
    let suggested = (2 * sockets + 512).div_ceil(1024) * 1024;
    let hard_note = match hard {
        Some(hard) if hard < suggested => format!(
            " (the hard limit is {hard}: raise it first, e.g. with `LimitNOFILE=` or /etc/security/limits.conf)"
        ),
        _ => String::new(),
    };
    Err(format!(
        "the open-file limit is {soft} but {sockets} subscribers need at least {needed} descriptors: \
         run `ulimit -n {suggested}` in this shell first{hard_note}; a server started from the same \
         shell needs as many"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
";

    #[test]
    fn the_limits_table_is_read() {
        assert_eq!(parse_limits(TABLE), Some(OpenFiles { soft: Some(1024), hard: Some(524_288) }));
        let unlimited = TABLE.replace("1024                 524288", "unlimited            unlimited");
        assert_eq!(parse_limits(&unlimited), Some(OpenFiles { soft: None, hard: None }));
        assert_eq!(parse_limits("Max cpu time  1  2  seconds"), None);
        assert_eq!(parse_limits("Max open files  many  2  files"), None);
        // This process's own table is readable on Linux.
        if cfg!(target_os = "linux") {
            assert!(open_files().is_some());
        }
    }

    #[test]
    fn too_low_a_limit_is_an_error_that_says_what_to_do() {
        let low = Some(OpenFiles { soft: Some(1024), hard: Some(524_288) });
        assert_eq!(check(low, 700), Ok(()));
        let error = check(low, 2000).unwrap_err();
        assert!(error.contains("open-file limit is 1024"), "{error}");
        assert!(error.contains("at least 2256"), "{error}");
        assert!(error.contains("ulimit -n 5120"), "{error}");
        assert!(!error.contains("hard limit"), "{error}");
        let capped = Some(OpenFiles { soft: Some(1024), hard: Some(4096) });
        assert!(check(capped, 2000).unwrap_err().contains("the hard limit is 4096"));
        assert_eq!(check(Some(OpenFiles { soft: None, hard: None }), 1_000_000), Ok(()));
        assert_eq!(check(None, 1_000_000), Ok(()));
    }
}
