//! Authentication at the HTTP edge: the client address, the per-request
//! context, and the [`Auth`] extractor that admits a key for one scope.

use std::marker::PhantomData;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};

use altgate_protocol::{ErrorCode, Scope};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use super::error::ApiError;
use altgate_protocol::signing::{
    KEY_ID_HEADER, NONCE_HEADER, SEQUENCE_HEADER, SIGNATURE_HEADER, SignatureHeaders, TIMESTAMP_HEADER,
};

use crate::access::authenticate::presented_key;
use crate::access::signed::{SignedRequest, header_refusal};
use crate::access::{Actor, Principal, Refusal};
use crate::audit::failures::FailureSource;
use crate::http::middleware::BufferedBody;
use crate::ratelimit::LimitStatus;
use crate::state::AppState;

/// Facts about one request that middleware and extractors share.
#[derive(Debug)]
pub(crate) struct RequestContext {
    /// The client's address (see [`client_ip`]).
    pub(crate) client_ip: IpAddr,
    /// The limits evaluated for the request, for the `RateLimit` headers.
    pub(crate) limits: OnceLock<LimitStatus>,
}

/// The client's address: the peer, or, when the peer is a trusted proxy,
/// the right-most address in `X-Forwarded-For` that is not a trusted proxy.
pub(crate) fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer)
}

/// The request's context, inserted by the outermost middleware.
pub(crate) fn context(parts: &Parts) -> Arc<RequestContext> {
    parts.extensions.get::<Arc<RequestContext>>().cloned().unwrap_or_else(|| {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        Arc::new(RequestContext { client_ip: peer, limits: OnceLock::new() })
    })
}

/// The client's address, as an extractor.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientIp(pub(crate) IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(context(parts).client_ip))
    }
}

/// The signature headers' values, found in one pass over the request's
/// headers: cheaper than a lookup per name, each of which hashes a custom
/// header name. The first value of a repeated header counts, as with
/// `HeaderMap::get`.
#[derive(Debug, Default)]
struct SignatureValues<'h> {
    key_id: Option<&'h [u8]>,
    timestamp: Option<&'h [u8]>,
    nonce: Option<&'h [u8]>,
    signature: Option<&'h [u8]>,
    sequence: Option<&'h [u8]>,
}

impl<'h> SignatureValues<'h> {
    fn find(headers: &'h HeaderMap) -> Self {
        let mut values = SignatureValues::default();
        for (name, value) in headers {
            let name = name.as_str();
            if !name.starts_with("x-ag-") {
                continue;
            }
            let slot = match name {
                KEY_ID_HEADER => &mut values.key_id,
                TIMESTAMP_HEADER => &mut values.timestamp,
                NONCE_HEADER => &mut values.nonce,
                SIGNATURE_HEADER => &mut values.signature,
                SEQUENCE_HEADER => &mut values.sequence,
                _ => continue,
            };
            slot.get_or_insert(value.as_bytes());
        }
        values
    }

    /// A header's value by its lowercase name.
    fn get(&self, name: &str) -> Option<&'h [u8]> {
        match name {
            KEY_ID_HEADER => self.key_id,
            TIMESTAMP_HEADER => self.timestamp,
            NONCE_HEADER => self.nonce,
            SIGNATURE_HEADER => self.signature,
            SEQUENCE_HEADER => self.sequence,
            _ => None,
        }
    }
}

/// What an endpoint needs of a key.
pub(crate) trait Requirement: Send + Sync + 'static {
    /// The scope; `None` for any authenticated key.
    const SCOPE: Option<Scope>;
    /// Whether only signed requests are accepted (key management, trading).
    const SIGNED: bool = false;
    /// Whether the key must belong to the operator's account.
    const OPERATOR_ACCOUNT: bool = false;
}

/// Any valid key.
#[derive(Debug)]
pub(crate) struct AnyKey;
impl Requirement for AnyKey {
    const SCOPE: Option<Scope> = None;
}

/// Any key of the operator's account, whatever its scopes: a monitoring key
/// needs no power beyond reading metrics.
#[derive(Debug)]
pub(crate) struct OperatorKey;
impl Requirement for OperatorKey {
    const SCOPE: Option<Scope> = None;
    const OPERATOR_ACCOUNT: bool = true;
}

/// Market data.
#[derive(Debug)]
pub(crate) struct Read;
impl Requirement for Read {
    const SCOPE: Option<Scope> = Some(Scope::Read);
}

/// Managing the own account's keys.
#[derive(Debug)]
pub(crate) struct Keys;
impl Requirement for Keys {
    const SCOPE: Option<Scope> = Some(Scope::Keys);
    const SIGNED: bool = true;
}

/// Administration.
#[derive(Debug)]
pub(crate) struct Admin;
impl Requirement for Admin {
    const SCOPE: Option<Scope> = Some(Scope::Admin);
    const SIGNED: bool = true;
}

/// An authenticated key holding `R::SCOPE`, within its limits. Put it first
/// among a handler's extractors, so that an unauthenticated request is
/// refused before its parameters are looked at.
#[derive(Debug)]
pub(crate) struct Auth<R> {
    pub(crate) principal: Arc<Principal>,
    pub(crate) ip: IpAddr,
    _scope: PhantomData<R>,
}

impl<R> Auth<R> {
    /// The key as the actor of a platform operation.
    pub(crate) fn actor(&self) -> Actor {
        Actor::Key { principal: Arc::clone(&self.principal), ip: self.ip }
    }
}

impl<R: Requirement> FromRequestParts<AppState> for Auth<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let platform = &state.platform;
        let now = platform.now();
        let ctx = context(parts);
        let ip = ctx.client_ip;
        let values = SignatureValues::find(&parts.headers);
        let header = |name: &str| values.get(name);
        let signed = SignatureHeaders::present(header);
        let principal = if signed {
            let headers = SignatureHeaders::parse(header).map_err(|error| {
                platform.access.failures.record("malformed_signature_header", FailureSource::Ip(ip), now);
                header_refusal(error)
            })?;
            let body = parts.extensions.get::<BufferedBody>().map(|b| b.0.clone()).unwrap_or_default();
            let request = SignedRequest {
                method: parts.method.as_str(),
                path: parts.uri.path(),
                query: parts.uri.query().unwrap_or_default(),
                body: &body,
            };
            platform.authenticate_signed(&headers, request, ip, now).await?
        } else {
            let presented = presented_key(&parts.headers).inspect_err(|refusal| {
                platform.access.failures.record(refusal.code.as_str(), FailureSource::Ip(ip), now);
            })?;
            platform.authenticate_at(presented, ip, now).await?
        };
        if R::OPERATOR_ACCOUNT && !principal.account.admin {
            platform.refused(&principal, ErrorCode::InsufficientScope, now);
            return Err(Refusal::new(ErrorCode::InsufficientScope, "this needs a key of the operator's account").into());
        }
        if let Some(scope) = R::SCOPE
            && !principal.grants(scope)
        {
            platform.refused(&principal, ErrorCode::InsufficientScope, now);
            let detail = format!("this operation needs the `{scope}` scope; the key has [{}]", principal.key.scopes);
            return Err(Refusal::new(ErrorCode::InsufficientScope, detail).into());
        }
        // Checked after the scope, so a key that could never call the
        // operation hears that first.
        if !signed && (R::SIGNED || principal.key.signature_required) {
            platform.refused(&principal, ErrorCode::SignatureRequired, now);
            let detail = if R::SIGNED {
                "this operation accepts only signed requests; see docs/signing.md"
            } else {
                "this key accepts only signed requests; see docs/signing.md"
            };
            return Err(Refusal::new(ErrorCode::SignatureRequired, detail).into());
        }
        let admission = platform.admit(&principal, now).await?;
        let _ = ctx.limits.set(admission.status);
        if let Some(refusal) = admission.refusal {
            return Err(refusal.into());
        }
        Ok(Auth { principal, ip, _scope: PhantomData })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.7, 203.0.113.5, 10.0.0.2"));
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(client_ip(proxy, &headers, &trusted), "203.0.113.5".parse::<IpAddr>().unwrap());
        assert_eq!(client_ip(stranger, &headers, &trusted), stranger, "spoofed header from an untrusted peer");
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &trusted), proxy);
    }
}
