//! Building each request, with the credentials of its mode.

use std::sync::Arc;

use altgate_protocol::signing::{
    CanonicalRequest, HmacSigner, KEY_ID_HEADER, NONCE_HEADER, Nonce, SIGNATURE_HEADER, TIMESTAMP_HEADER,
    canonical_string,
};
use altgate_protocol::{ApiKey, KeyId};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, HOST, HeaderMap, HeaderName, HeaderValue};
use hyper::http::uri::Uri;
use hyper::{Method, Request};

use crate::args::{Origin, RequestPath};

/// The signature headers' names, checked once rather than on every request
/// (a name given as a string is parsed each time it is inserted).
static KEY_ID: HeaderName = HeaderName::from_static(KEY_ID_HEADER);
static TIMESTAMP: HeaderName = HeaderName::from_static(TIMESTAMP_HEADER);
static NONCE: HeaderName = HeaderName::from_static(NONCE_HEADER);
static SIGNATURE: HeaderName = HeaderName::from_static(SIGNATURE_HEADER);

/// What every request of a run looks like, credentials aside.
#[derive(Debug)]
pub struct Target {
    /// `host:port` to connect to.
    pub(crate) address: String,
    host: HeaderValue,
    method: Method,
    uri: Uri,
    path: RequestPath,
    body: Bytes,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Target {
    /// A target on `origin`; `headers` are added to every request.
    pub fn new(
        origin: &Origin,
        method: Method,
        path: &RequestPath,
        body: Vec<u8>,
        headers: Vec<(HeaderName, HeaderValue)>,
    ) -> Target {
        // An authority that parsed as part of a URI is a valid header value.
        let host = HeaderValue::from_str(&origin.authority).expect("a parsed authority is a valid Host");
        Target {
            address: origin.address.clone(),
            host,
            method,
            uri: Uri::from(path.path_and_query().clone()),
            path: path.clone(),
            body: Bytes::from(body),
            headers,
        }
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path and query as sent.
    pub fn path(&self) -> &RequestPath {
        &self.path
    }
}

/// The credentials of a run.
#[derive(Debug, Clone)]
pub enum Auth {
    /// None.
    None,
    /// `Authorization: Bearer <key>`.
    Bearer(ApiKey),
    /// Signed with HMAC-SHA256 keyed by `key`.
    Signed {
        /// Sent as `X-AG-Key-Id`.
        key_id: KeyId,
        /// The signing key.
        key: ApiKey,
    },
}

/// Builds the requests of one connection.
///
/// Each signed request gets a fresh nonce: the connection's random 24-byte
/// seed with a per-connection counter XORed into its first 8 bytes, so
/// nonces are unique without drawing randomness per request.
#[derive(Debug)]
pub struct RequestBuilder {
    target: Arc<Target>,
    credentials: Credentials,
}

#[derive(Debug)]
enum Credentials {
    None,
    Bearer(HeaderValue),
    Signed(Box<Signer>),
}

#[derive(Debug)]
struct Signer {
    key_id: KeyId,
    key_id_header: HeaderValue,
    signer: HmacSigner,
    seed: [u8; 24],
    counter: u64,
}

impl Signer {
    fn next_nonce(&mut self) -> Nonce {
        let mut entropy = self.seed;
        for (byte, count) in entropy.iter_mut().zip(self.counter.to_le_bytes()) {
            *byte ^= count;
        }
        self.counter = self.counter.wrapping_add(1);
        Nonce::from_entropy(&entropy)
    }
}

impl RequestBuilder {
    /// The builder of one connection; `seed` (random, once per connection)
    /// is only used when signing.
    pub fn new(target: Arc<Target>, auth: &Auth, seed: [u8; 24]) -> RequestBuilder {
        let credentials = match auth {
            Auth::None => Credentials::None,
            Auth::Bearer(key) => {
                let mut value = HeaderValue::try_from(format!("Bearer {}", key.expose_secret()))
                    .expect("a parsed key is a valid header value");
                value.set_sensitive(true);
                Credentials::Bearer(value)
            }
            Auth::Signed { key_id, key } => Credentials::Signed(Box::new(Signer {
                key_id: key_id.clone(),
                key_id_header: HeaderValue::from_str(key_id.as_str()).expect("a parsed key id is a valid header value"),
                signer: HmacSigner::new(key.expose_secret()),
                seed,
                counter: 0,
            })),
        };
        RequestBuilder { target, credentials }
    }

    /// The headers of the next request: `Host`, the extra headers, then the
    /// credentials. A signed request is signed at `timestamp_ms` (Unix ms)
    /// with a nonce never used before on this connection.
    pub fn headers(&mut self, timestamp_ms: i64) -> HeaderMap {
        let target = &*self.target;
        let mut headers = HeaderMap::with_capacity(target.headers.len() + 5);
        headers.insert(HOST, target.host.clone());
        for (name, value) in &target.headers {
            headers.append(name.clone(), value.clone());
        }
        match &mut self.credentials {
            Credentials::None => {}
            Credentials::Bearer(value) => {
                headers.insert(AUTHORIZATION, value.clone());
            }
            Credentials::Signed(signer) => {
                let nonce = signer.next_nonce();
                let canonical = canonical_string(&CanonicalRequest {
                    key_id: signer.key_id.as_str(),
                    timestamp_ms,
                    nonce: nonce.as_str(),
                    method: target.method.as_str(),
                    path: target.path.path(),
                    query: target.path.query(),
                    body: &target.body,
                    sequence: None,
                });
                let signature = signer.signer.sign(&canonical);
                headers.insert(KEY_ID.clone(), signer.key_id_header.clone());
                headers.insert(TIMESTAMP.clone(), HeaderValue::from(timestamp_ms));
                headers.insert(NONCE.clone(), HeaderValue::try_from(String::from(nonce.as_str())).expect("base64url"));
                headers.insert(SIGNATURE.clone(), HeaderValue::try_from(signature).expect("base64url"));
            }
        }
        headers
    }

    /// The next request, with [`RequestBuilder::headers`].
    pub fn build(&mut self, timestamp_ms: i64) -> Request<Full<Bytes>> {
        let headers = self.headers(timestamp_ms);
        let mut request = Request::new(Full::new(self.target.body.clone()));
        *request.method_mut() = self.target.method.clone();
        *request.uri_mut() = self.target.uri.clone();
        *request.headers_mut() = headers;
        request
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use altgate_protocol::Environment;
    use altgate_protocol::signing::{SignatureHeaders, Verifier};

    use super::*;

    fn target(method: Method, path: &str, body: &[u8]) -> Arc<Target> {
        let origin = Origin::parse("http://127.0.0.1:8080").unwrap();
        let path = RequestPath::parse(path).unwrap();
        let extra = vec![(HeaderName::from_static("x-extra"), HeaderValue::from_static("1"))];
        Arc::new(Target::new(&origin, method, &path, body.to_vec(), extra))
    }

    fn signed() -> (Auth, ApiKey) {
        let key = ApiKey::from_entropy(Environment::Test, &[7; 32]);
        (Auth::Signed { key_id: KeyId::parse("key_3XfN8bQ2LrT7").unwrap(), key: key.clone() }, key)
    }

    /// The server's view: parse the headers, rebuild the canonical string
    /// from what was sent, and verify.
    fn verify(headers: &HeaderMap, key: &ApiKey, method: &str, path: &str, query: &str, body: &[u8]) -> Nonce {
        let parsed = SignatureHeaders::parse(|name| headers.get(name).map(HeaderValue::as_bytes)).unwrap();
        let canonical = canonical_string(&CanonicalRequest {
            key_id: parsed.key_id,
            timestamp_ms: parsed.timestamp_ms,
            nonce: parsed.nonce,
            method,
            path,
            query,
            body,
            sequence: parsed.sequence,
        });
        Verifier::hmac(key.expose_secret().as_bytes()).verify(canonical.as_bytes(), parsed.signature()).unwrap();
        Nonce::parse(parsed.nonce).unwrap()
    }

    #[test]
    fn signed_requests_verify_and_never_repeat_a_nonce() {
        let (auth, key) = signed();
        let mut builder =
            RequestBuilder::new(target(Method::GET, "/v1/assets/bitcoin?b=2&a=1", b""), &auth, [0xA5; 24]);
        let mut nonces = HashSet::new();
        for i in 0..10_000 {
            let timestamp_ms = 1_764_316_800_000 + i;
            let headers = builder.headers(timestamp_ms);
            assert_eq!(headers[TIMESTAMP_HEADER], timestamp_ms.to_string());
            assert_eq!(headers[KEY_ID_HEADER], "key_3XfN8bQ2LrT7");
            let nonce = verify(&headers, &key, "GET", "/v1/assets/bitcoin", "b=2&a=1", b"");
            assert_eq!(Nonce::parse(nonce.as_str()).as_ref(), Ok(&nonce));
            assert!(nonces.insert(nonce), "nonce repeated at request {i}");
        }
    }

    #[test]
    fn a_signature_covers_method_and_body() {
        let (auth, key) = signed();
        let body = br#"{"name":"bot"}"#;
        let mut builder = RequestBuilder::new(target(Method::POST, "/v1/keys", body), &auth, [1; 24]);
        let request = builder.build(42);
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), "/v1/keys");
        verify(request.headers(), &key, "POST", "/v1/keys", "", body);
        let parsed = SignatureHeaders::parse(|name| request.headers().get(name).map(HeaderValue::as_bytes)).unwrap();
        let other = canonical_string(&CanonicalRequest {
            key_id: parsed.key_id,
            timestamp_ms: 42,
            nonce: parsed.nonce,
            method: "POST",
            path: "/v1/keys",
            query: "",
            body: b"{}",
            sequence: None,
        });
        assert!(Verifier::hmac(key.expose_secret().as_bytes()).verify(other.as_bytes(), parsed.signature()).is_err());
    }

    #[test]
    fn connections_with_different_seeds_draw_different_nonces() {
        let (auth, _) = signed();
        let target = target(Method::GET, "/", b"");
        let mut a = RequestBuilder::new(target.clone(), &auth, [1; 24]);
        let mut b = RequestBuilder::new(target, &auth, [2; 24]);
        assert_ne!(a.headers(0)[NONCE_HEADER], b.headers(0)[NONCE_HEADER]);
    }

    #[test]
    fn each_mode_sends_only_its_own_headers() {
        let key = ApiKey::from_entropy(Environment::Live, &[3; 32]);
        let t = target(Method::GET, "/v1/assets/bitcoin", b"");
        let none = RequestBuilder::new(t.clone(), &Auth::None, [0; 24]).headers(0);
        assert_eq!(none.len(), 2);
        assert_eq!(none[HOST], "127.0.0.1:8080");
        assert_eq!(none["x-extra"], "1");

        let bearer = RequestBuilder::new(t.clone(), &Auth::Bearer(key.clone()), [0; 24]).headers(0);
        assert_eq!(bearer[AUTHORIZATION], format!("Bearer {}", key.expose_secret()));
        assert!(bearer[AUTHORIZATION].is_sensitive());
        assert!(bearer.get(SIGNATURE_HEADER).is_none());

        let (auth, _) = signed();
        let signed = RequestBuilder::new(t, &auth, [0; 24]).headers(0);
        assert!(signed.get(AUTHORIZATION).is_none());
        for name in [KEY_ID_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER] {
            assert!(signed.contains_key(name), "{name}");
        }
    }
}
