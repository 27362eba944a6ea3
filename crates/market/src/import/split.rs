//! Splitting input into physical lines and lines into fields.
//!
//! Lines without a `"` are split on commas by hand, borrowing from the input
//! (the fast path every exchange dump takes). Lines with a `"` go through
//! `csv-core`, which unescapes quoted fields into a scratch buffer. Either
//! way a record is one physical line: quoted fields may not span lines.

use csv_core::{ReadRecordResult, Reader};

/// The physical lines of an input, each split into fields.
///
/// This is a lending iterator: each record borrows the splitter's buffers
/// until the next call.
#[derive(Debug)]
pub(super) struct Records<'a> {
    input: &'a [u8],
    /// The input as text, when it is valid UTF-8: fields are then sliced
    /// from it without validating each.
    text: Option<&'a str>,
    /// Byte offset of the next line.
    pos: usize,
    /// 1-based number of the next line.
    line: u64,
    /// Field bounds, as byte ranges into the line or the scratch buffer.
    bounds: Vec<(usize, usize)>,
    /// Unescaped field bytes of a quoted line.
    scratch: Vec<u8>,
    /// Field end offsets written by `csv-core`.
    ends: Vec<usize>,
    reader: Reader,
}

/// The fields of one line, trimmed of ASCII whitespace on access.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields<'r> {
    buf: &'r [u8],
    /// `buf` as text, when known to be UTF-8.
    text: Option<&'r str>,
    bounds: &'r [(usize, usize)],
    /// Whether the line holds nothing but whitespace.
    blank: bool,
}

impl<'a> Records<'a> {
    /// Reads `input` from byte `pos`, which starts line number `line`.
    /// `text` is `input` as text if the caller knows it to be UTF-8.
    pub(super) fn new(input: &'a [u8], text: Option<&'a str>, pos: usize, line: u64) -> Records<'a> {
        debug_assert!(text.is_none_or(|text| text.as_bytes() == input));
        Records {
            input,
            text,
            pos,
            line,
            bounds: Vec::with_capacity(16),
            scratch: Vec::new(),
            ends: Vec::new(),
            reader: Reader::new(),
        }
    }

    /// The byte offset of the next line.
    pub(super) fn offset(&self) -> usize {
        self.pos
    }

    /// The 1-based number of the next line.
    pub(super) fn line(&self) -> u64 {
        self.line
    }

    /// The next line's number and fields, or `None` at the end of the input.
    pub(super) fn next_record(&mut self) -> Option<(u64, Fields<'_>)> {
        let begin = self.pos;
        let rest = self.input.get(begin..).filter(|rest| !rest.is_empty())?;
        self.bounds.clear();
        let mut start = 0;
        let mut quoted = false;
        let mut end = None;
        let mut on_special = |i: usize, byte: u8| match byte {
            b',' => {
                self.bounds.push((start, i));
                start = i + 1;
                false
            }
            b'\n' => {
                end = Some(i);
                true
            }
            _ => {
                quoted = true;
                false
            }
        };
        // Eight bytes at a time, visiting only commas, newlines and quotes.
        let (words, tail) = rest.as_chunks::<8>();
        let mut done = false;
        'words: for (k, word) in words.iter().enumerate() {
            let mut mask = special_bytes(u64::from_le_bytes(*word));
            while mask != 0 {
                let at = (mask.trailing_zeros() / 8) as usize;
                if on_special(k * 8 + at, word[at]) {
                    done = true;
                    break 'words;
                }
                mask &= mask - 1;
            }
        }
        if !done {
            let offset = words.len() * 8;
            for (i, &byte) in tail.iter().enumerate() {
                if matches!(byte, b',' | b'\n' | b'"') && on_special(offset + i, byte) {
                    break;
                }
            }
        }
        let end = end.unwrap_or(rest.len());
        let number = self.line;
        self.line += 1;
        self.pos += (end + 1).min(rest.len());
        let line = &rest[..end];
        if quoted {
            self.split_quoted(line);
            return Some((number, Fields { buf: &self.scratch, text: None, bounds: &self.bounds, blank: false }));
        }
        self.bounds.push((start, end));
        let blank = self.bounds.len() == 1 && line.trim_ascii().is_empty();
        // A line ends before a newline or at the end, so on a character boundary.
        let text = self.text.and_then(|text| text.get(begin..begin + end));
        Some((number, Fields { buf: line, text, bounds: &self.bounds, blank }))
    }

    /// Splits a line holding quotes with `csv-core`, into `scratch`.
    fn split_quoted(&mut self, line: &[u8]) {
        self.reader.reset();
        self.bounds.clear();
        // Unescaping never lengthens a field, and a line has at most one
        // field more than it has commas.
        self.scratch.clear();
        self.scratch.resize(line.len() + 1, 0);
        self.ends.clear();
        self.ends.resize(line.iter().filter(|&&b| b == b',').count() + 2, 0);
        let (mut input, mut nout, mut nends) = (line, 0, 0);
        loop {
            let (result, read, written, ended) =
                self.reader.read_record(input, &mut self.scratch[nout..], &mut self.ends[nends..]);
            input = &input[read..];
            nout += written;
            nends += ended;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.scratch.resize(self.scratch.len() * 2 + 1, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2 + 1, 0),
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        let mut start = 0;
        for &end in &self.ends[..nends] {
            self.bounds.push((start, end));
            start = end;
        }
        if self.bounds.is_empty() {
            self.bounds.push((0, 0));
        }
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW_SEVEN: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// The high bit of each zero byte of `word`, exactly (no false positives:
/// the addition cannot carry between bytes).
const fn zero_bytes(word: u64) -> u64 {
    !(((word & LOW_SEVEN) + LOW_SEVEN) | word | LOW_SEVEN)
}

/// The high bit of each byte of `word` that is a comma, newline or quote.
const fn special_bytes(word: u64) -> u64 {
    zero_bytes(word ^ (ONES * b',' as u64))
        | zero_bytes(word ^ (ONES * b'\n' as u64))
        | zero_bytes(word ^ (ONES * b'"' as u64))
}

impl<'r> Fields<'r> {
    /// How many fields the line has (a blank line has one, empty).
    pub(super) fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Field `index`, trimmed of ASCII whitespace, or `None` past the end.
    pub(super) fn get(&self, index: usize) -> Option<&'r [u8]> {
        let &(start, end) = self.bounds.get(index)?;
        self.buf.get(start..end).map(<[u8]>::trim_ascii)
    }

    /// Field `index` as text, trimmed of ASCII whitespace: `Ok(None)` past
    /// the end, `Err` with its bytes if it is not UTF-8.
    pub(super) fn text(&self, index: usize) -> Result<Option<&'r str>, &'r [u8]> {
        let Some(&(start, end)) = self.bounds.get(index) else { return Ok(None) };
        // Fields are split at ASCII bytes, so on character boundaries.
        if let Some(field) = self.text.and_then(|text| text.get(start..end)) {
            return Ok(Some(field.trim_ascii()));
        }
        let bytes = self.buf.get(start..end).unwrap_or_default().trim_ascii();
        std::str::from_utf8(bytes).map(Some).map_err(|_| bytes)
    }

    /// Whether the line holds nothing but whitespace.
    pub(super) fn is_blank(&self) -> bool {
        self.blank
    }

    /// The fields in order.
    pub(super) fn iter(self) -> impl Iterator<Item = &'r [u8]> {
        (0..self.len()).filter_map(move |i| self.get(i))
    }
}
