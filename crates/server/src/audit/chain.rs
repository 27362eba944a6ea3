//! The chain's message encoding and its verification.

use std::fmt;

use crate::store::{AccessStore, ChainedEvent, StoreError};

/// The hash the first event chains to.
pub(crate) const GENESIS: [u8; 32] = [0; 32];

/// The fields an event's MAC covers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChainFields<'a> {
    pub(crate) seq: u64,
    pub(crate) at: i64,
    pub(crate) action: &'a str,
    pub(crate) actor_account_id: Option<&'a str>,
    pub(crate) actor_key_id: Option<&'a str>,
    pub(crate) account_id: Option<&'a str>,
    pub(crate) key_id: Option<&'a str>,
    pub(crate) ip: Option<&'a str>,
    pub(crate) details: &'a str,
}

/// The bytes an event's MAC is computed over: a version tag, the previous
/// hash, then every field, each optional text as a 4-byte big-endian length
/// (`0xFFFFFFFF` when absent) followed by its bytes. Length prefixes make the
/// encoding unambiguous, so no two different events share a message.
pub(crate) fn message(prev_hash: &[u8], fields: &ChainFields<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + fields.details.len());
    out.extend_from_slice(b"altgate-audit-v1\0");
    put(&mut out, Some(prev_hash));
    out.extend_from_slice(&fields.seq.to_be_bytes());
    out.extend_from_slice(&fields.at.to_be_bytes());
    for text in [
        Some(fields.action),
        fields.actor_account_id,
        fields.actor_key_id,
        fields.account_id,
        fields.key_id,
        fields.ip,
        Some(fields.details),
    ] {
        put(&mut out, text.map(str::as_bytes));
    }
    out
}

fn put(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        Some(bytes) => {
            let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX - 1);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(bytes);
        }
        None => out.extend_from_slice(&u32::MAX.to_be_bytes()),
    }
}

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first event that does not verify (or the missing one).
    pub seq: u64,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the audit chain breaks at event {}: {}", self.seq, self.reason)
    }
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// How many events verified.
    pub verified: u64,
    /// The hash of the last verified event (hex), the chain's head.
    pub head: String,
    /// The first broken link, if any.
    pub broken: Option<ChainBreak>,
}

/// Walks the whole chain from the first event and reports the first broken
/// link: a gap in the sequence, a `prev_hash` that is not the previous
/// event's hash, or a hash that does not match the event's fields.
pub async fn verify_chain(
    store: &(dyn AccessStore + Sync),
    mac: &(dyn Fn(&[u8]) -> [u8; 32] + Sync),
) -> Result<VerifyReport, StoreError> {
    let mut prev = GENESIS.to_vec();
    let mut expected_seq = 1u64;
    loop {
        let rows = store.audit_chain(expected_seq - 1, 1_000).await?;
        if rows.is_empty() {
            let head = hex(&prev);
            return Ok(VerifyReport { verified: expected_seq - 1, head, broken: None });
        }
        for row in rows {
            if let Some(reason) = check(&row, expected_seq, &prev, mac) {
                let broken = Some(ChainBreak { seq: expected_seq, reason });
                return Ok(VerifyReport { verified: expected_seq - 1, head: hex(&prev), broken });
            }
            prev = row.hash;
            expected_seq += 1;
        }
    }
}

fn check(
    row: &ChainedEvent,
    expected_seq: u64,
    prev: &[u8],
    mac: &(dyn Fn(&[u8]) -> [u8; 32] + Sync),
) -> Option<&'static str> {
    if row.event.seq != expected_seq {
        return Some("an event is missing before this one");
    }
    if row.prev_hash != prev {
        return Some("its prev_hash is not the previous event's hash");
    }
    let e = &row.event;
    let fields = ChainFields {
        seq: e.seq,
        at: e.at.as_millis(),
        action: &row.action_text,
        actor_account_id: e.actor_account_id.as_ref().map(|a| a.as_str()),
        actor_key_id: e.actor_key_id.as_ref().map(|k| k.as_str()),
        account_id: e.account_id.as_ref().map(|a| a.as_str()),
        key_id: e.key_id.as_ref().map(|k| k.as_str()),
        ip: e.ip.as_deref(),
        details: &row.details_text,
    };
    let expected = mac(&message(prev, &fields));
    // Not a secret comparison: both values are public once stored.
    (expected.as_slice() != row.hash.as_slice()).then_some("its contents do not match its hash")
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(details: &str) -> ChainFields<'_> {
        ChainFields {
            seq: 1,
            at: 5,
            action: "key_created",
            actor_account_id: None,
            actor_key_id: Some("key_abcdefgh"),
            account_id: None,
            key_id: None,
            ip: None,
            details,
        }
    }

    #[test]
    fn the_encoding_is_unambiguous() {
        // Moving a value from one field to the next changes the message.
        let a = ChainFields { actor_key_id: Some("ab"), account_id: None, ..fields("{}") };
        let b = ChainFields { actor_key_id: None, account_id: Some("ab"), ..fields("{}") };
        assert_ne!(message(&GENESIS, &a), message(&GENESIS, &b));
        let c = ChainFields { actor_key_id: Some(""), ..fields("{}") };
        let d = ChainFields { actor_key_id: None, ..fields("{}") };
        assert_ne!(message(&GENESIS, &c), message(&GENESIS, &d), "empty differs from absent");
        assert_ne!(message(&GENESIS, &fields("{}")), message(&[1; 32], &fields("{}")));
    }
}
