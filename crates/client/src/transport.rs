//! Sending requests: credentials on every request, and the retries that
//! are safe.

use std::sync::atomic::Ordering;
use std::time::Duration;

use altgate_protocol::signing::{
    CanonicalRequest, KEY_ID_HEADER, NONCE_HEADER, Nonce, SIGNATURE_HEADER, TIMESTAMP_HEADER, canonical_string,
};
use altgate_protocol::{ErrorCode, Problem};
use reqwest::{Method, Response};
use ring::rand::SecureRandom;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::credentials::Credentials;
use crate::keyring::lock;
use crate::{Client, Error};

/// The longest `Retry-After` a call waits out by itself before retrying.
const MAX_RETRY_AFTER_SECS: u64 = 60;
/// Tries of a GET through transient network errors.
const NETWORK_TRIES: u32 = 3;
/// Key switches within one call, a bound against sources that keep changing.
const MAX_KEY_SWITCHES: u32 = 4;

/// A request body and its media type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Payload<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) content_type: &'static str,
}

/// The headers that authenticate one request, and the key ring's
/// generation they were made from.
#[derive(Debug)]
pub(crate) struct Authorization {
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) generation: u64,
}

impl Client {
    /// Sends one request, retrying where that is safe, and returns the
    /// successful response:
    ///
    /// - after `key_expired`, `key_revoked` or `unknown_key`, with the next
    ///   key of the ring, or a different key found by reading the
    ///   credentials' source again (once);
    /// - once after a clock re-sync on `timestamp_out_of_window`;
    /// - after `Retry-After` on 429, when the wait is at most a minute;
    /// - for GET only, through transient network errors, with exponential
    ///   backoff and jitter.
    ///
    /// The first three were refused before anything ran, so any method may
    /// be sent again (signed anew, with a fresh nonce). A network error
    /// leaves unknown whether the server acted, so other methods are never
    /// sent again after one.
    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<Payload<'_>>) -> Result<Response, Error> {
        let mut resynced = false;
        let mut waited = false;
        let mut reread = false;
        let mut switches = 0;
        let mut network_tries = 0;
        lock(&self.keys).reload_if_changed();
        loop {
            let authorization = self.authorize(method.as_str(), &self.url(path)?, body.map_or(b"", |b| b.bytes))?;
            let generation = authorization.generation;
            let error = match self.call_once(method.clone(), path, body, authorization).await {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            match &error {
                e if e.is_key_refusal() && switches < MAX_KEY_SWITCHES => {
                    if !self.recover_key(generation, &mut reread) {
                        return Err(error);
                    }
                    switches += 1;
                }
                e if e.code() == Some(ErrorCode::TimestampOutOfWindow) && !resynced => {
                    resynced = true;
                    self.sync_clock().await?;
                }
                Error::Api { problem, retry_after_secs: Some(wait) }
                    if problem.status == 429 && !waited && *wait <= MAX_RETRY_AFTER_SECS =>
                {
                    waited = true;
                    tokio::time::sleep(Duration::from_secs(*wait)).await;
                }
                Error::Transport(_) if method == Method::GET && network_tries + 1 < NETWORK_TRIES => {
                    network_tries += 1;
                    let mut jitter = [0u8; 1];
                    let _ = self.random.fill(&mut jitter);
                    let base = 100u64 << network_tries;
                    let delay = base / 2 + base * u64::from(jitter[0]) / 512;
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                }
                _ => return Err(error),
            }
        }
    }

    /// After the server refused the key of ring `generation`: whether there
    /// is another key to try, from the ring or, once per call (`reread`),
    /// from the credentials' source read again.
    pub(crate) fn recover_key(&self, generation: u64, reread: &mut bool) -> bool {
        let mut ring = lock(&self.keys);
        if ring.advance(generation) {
            return true;
        }
        if *reread {
            return false;
        }
        *reread = true;
        ring.reread()
    }

    fn url(&self, path: &str) -> Result<reqwest::Url, Error> {
        reqwest::Url::parse(&format!("{}{path}", self.base)).map_err(|e| Error::Config(e.to_string()))
    }

    /// Sends one request with `authorization`.
    async fn call_once(
        &self,
        method: Method,
        path: &str,
        body: Option<Payload<'_>>,
        authorization: Authorization,
    ) -> Result<Response, Error> {
        let mut builder = self.http.request(method, self.url(path)?);
        for (name, value) in authorization.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = body {
            builder = builder.header("content-type", body.content_type).body(body.bytes.to_vec());
        }
        check(builder.send().await?).await
    }

    /// The headers that authenticate a request with the current key (none
    /// without a key). A bearer key is sent as `Authorization: Bearer`; a
    /// signing key gives the key id, a timestamp (corrected by the clock
    /// offset), a fresh CSPRNG nonce and the signature, so no two requests
    /// are ever signed alike and a captured one cannot be replayed.
    pub(crate) fn authorize(&self, method: &str, url: &reqwest::Url, body: &[u8]) -> Result<Authorization, Error> {
        let ring = lock(&self.keys);
        let generation = ring.generation();
        let (key_id, signature): (_, &dyn Fn(&str) -> String) = match ring.current() {
            None => return Ok(Authorization { headers: Vec::new(), generation }),
            Some(Credentials::Bearer { key, .. }) => {
                let headers = vec![("authorization", format!("Bearer {}", key.expose_secret()))];
                return Ok(Authorization { headers, generation });
            }
            Some(Credentials::Hmac { key_id, signer }) => (key_id, &|c| signer.sign(c)),
            Some(Credentials::Ed25519 { key_id, signer }) => (key_id, &|c| signer.sign(c)),
        };
        let mut entropy = [0u8; 24];
        self.random.fill(&mut entropy).map_err(|_| Error::Config("the system random generator failed".into()))?;
        let nonce = Nonce::from_entropy(&entropy);
        let timestamp_ms = now_ms().saturating_add(self.clock_offset_ms.load(Ordering::Relaxed));
        let request = Signed { key_id: key_id.as_str(), timestamp_ms, nonce: nonce.as_str(), method, url, body };
        Ok(Authorization { headers: request.headers(signature), generation })
    }

    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        decode_json(self.call(Method::GET, path, None).await?).await
    }

    pub(crate) async fn get_text(&self, path: &str) -> Result<String, Error> {
        let response = self.call(Method::GET, path, None).await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        String::from_utf8(bytes.to_vec()).map_err(|e| Error::Protocol { status, reason: format!("body: {e}") })
    }

    /// Sends `body` as JSON (none when `None`) with `method`.
    pub(crate) async fn send_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let bytes = body.map(serde_json::to_vec).transpose().map_err(|e| Error::Config(e.to_string()))?;
        let payload = bytes.as_deref().map(|bytes| Payload { bytes, content_type: "application/json" });
        decode_json(self.call(method, path, payload).await?).await
    }

    pub(crate) async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, Error> {
        self.send_json(Method::POST, path, body).await
    }
}

/// The response if it succeeded, or the problem it carries.
/// What one signed request's headers are made of.
struct Signed<'a> {
    key_id: &'a str,
    timestamp_ms: i64,
    nonce: &'a str,
    method: &'a str,
    url: &'a reqwest::Url,
    body: &'a [u8],
}

impl Signed<'_> {
    /// The signature headers, signing the path and query exactly as the URL
    /// sends them.
    fn headers(&self, sign: &dyn Fn(&str) -> String) -> Vec<(&'static str, String)> {
        let canonical = canonical_string(&CanonicalRequest {
            key_id: self.key_id,
            timestamp_ms: self.timestamp_ms,
            nonce: self.nonce,
            method: self.method,
            path: self.url.path(),
            query: self.url.query().unwrap_or_default(),
            body: self.body,
            sequence: None,
        });
        vec![
            (KEY_ID_HEADER, self.key_id.to_owned()),
            (TIMESTAMP_HEADER, self.timestamp_ms.to_string()),
            (NONCE_HEADER, self.nonce.to_owned()),
            (SIGNATURE_HEADER, sign(&canonical)),
        ]
    }
}

pub(crate) async fn check(response: Response) -> Result<Response, Error> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after_secs =
        response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    let bytes = response.bytes().await?;
    Err(problem_error(status.as_u16(), &bytes, retry_after_secs))
}

/// The error of a failed response's body: its problem document, or what
/// was wrong with it.
pub(crate) fn problem_error(status: u16, body: &[u8], retry_after_secs: Option<u64>) -> Error {
    match serde_json::from_slice::<Problem>(body) {
        Ok(problem) => Error::Api { problem: Box::new(problem), retry_after_secs },
        Err(_) => Error::Protocol { status, reason: String::from_utf8_lossy(body).chars().take(200).collect() },
    }
}

pub(crate) async fn decode_json<T: DeserializeOwned>(response: Response) -> Result<T, Error> {
    let status = response.status().as_u16();
    let bytes = response.bytes().await?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Protocol { status, reason: format!("body: {e}") })
}

pub(crate) fn now_ms() -> i64 {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// Percent-encodes a path segment or query value.
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use altgate_protocol::{ApiKey, Environment, KeyId};

    use super::*;

    fn header<'a>(authorization: &'a Authorization, name: &str) -> &'a str {
        authorization.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap()
    }

    #[test]
    fn two_identical_requests_are_never_signed_alike() {
        let key = ApiKey::from_entropy(Environment::Test, &[7; 32]);
        let key_id = KeyId::from_entropy(&[3; 12]);
        let client = Client::new("http://127.0.0.1:1", key_id.as_str(), key.expose_secret()).unwrap();
        let url = reqwest::Url::parse("http://127.0.0.1:1/v1/keys").unwrap();
        let first = client.authorize("POST", &url, b"{}").unwrap();
        let second = client.authorize("POST", &url, b"{}").unwrap();
        assert_eq!(header(&first, KEY_ID_HEADER), key_id.as_str());
        assert_ne!(header(&first, NONCE_HEADER), header(&second, NONCE_HEADER));
        assert_ne!(header(&first, SIGNATURE_HEADER), header(&second, SIGNATURE_HEADER));
        assert!(Nonce::check(header(&first, NONCE_HEADER)).is_ok());
        assert!(!first.headers.iter().any(|(name, _)| *name == "authorization"), "the key is never sent");
    }

    /// The SDK's whole signing path, from the URL it sends to the headers,
    /// reproduces every shared known-answer vector (the SDK sends no
    /// sequence, so vectors with one are the protocol crate's to check).
    #[test]
    fn requests_are_signed_as_the_shared_vectors_say() {
        use altgate_protocol::signing::{Ed25519Signer, HmacSigner};
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/signing.json");
        let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let text = |vector: &serde_json::Value, field: &str| vector[field].as_str().unwrap().to_owned();
        let mut checked = 0;
        for vector in file["vectors"].as_array().unwrap().iter().filter(|v| v["sequence"].is_null()) {
            let sign: Box<dyn Fn(&str) -> String> = match vector["algorithm"].as_str().unwrap() {
                "hmac-sha256" => {
                    let signer = HmacSigner::new(&text(vector, "secret"));
                    Box::new(move |c| signer.sign(c))
                }
                _ => {
                    let seed: [u8; 32] = unhex(&text(vector, "seed_hex")).try_into().unwrap();
                    let signer = Ed25519Signer::from_seed(&seed).unwrap();
                    Box::new(move |c| signer.sign(c))
                }
            };
            let query = text(vector, "query");
            let separator = if query.is_empty() { "" } else { "?" };
            let url =
                reqwest::Url::parse(&format!("http://127.0.0.1{}{separator}{query}", text(vector, "path"))).unwrap();
            let body = unhex(&text(vector, "body_hex"));
            let request = Signed {
                key_id: &text(vector, "key_id"),
                timestamp_ms: vector["timestamp"].as_i64().unwrap(),
                nonce: &text(vector, "nonce"),
                method: &text(vector, "method"),
                url: &url,
                body: &body,
            };
            let headers = request.headers(&*sign);
            let signature = headers.iter().find(|(name, _)| *name == SIGNATURE_HEADER).unwrap();
            assert_eq!(signature.1, text(vector, "signature"), "{}", text(vector, "name"));
            checked += 1;
        }
        assert!(checked >= 5, "only {checked} vectors checked");
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn a_bearer_key_is_sent_as_such_and_unsigned() {
        let key = ApiKey::from_entropy(Environment::Test, &[7; 32]);
        let client = Client::bearer("http://127.0.0.1:1", key.expose_secret()).unwrap();
        let url = reqwest::Url::parse("http://127.0.0.1:1/v1/prices").unwrap();
        let authorization = client.authorize("GET", &url, b"").unwrap();
        assert_eq!(authorization.headers, vec![("authorization", format!("Bearer {}", key.expose_secret()))]);
    }
}
