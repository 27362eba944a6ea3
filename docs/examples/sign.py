#!/usr/bin/env python3
"""Sign Altgate requests (scheme AG1) with only the Python standard library.

Copy this file next to your code, then:

    import json, urllib.request, sign
    body = json.dumps({"name": "bot-2", "scopes": ["read"]}).encode()
    headers = sign.signed_headers("key_3XfN8bQ2LrT7", "ag_live_...", "POST", "/v1/keys", body)
    headers["Content-Type"] = "application/json"
    urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:8080/v1/keys", body, headers, method="POST"))

For an Ed25519 key, pass the 32-byte private seed and algorithm="ed25519".

Command line:

    python3 sign.py selftest [VECTORS.json]
    python3 sign.py request --url URL --key-id KEY_ID [--key AG_KEY | --seed-hex HEX]
                            [--method GET] [--data BODY] [--sequence N] [--replay] PATH_AND_QUERY
    python3 sign.py public-key --seed-hex HEX
    python3 sign.py generate-vectors > tests/vectors/signing.json

The specification is docs/signing.md.
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import time
import urllib.error
import urllib.request
from typing import Dict, List, Optional, Tuple, Union

SCHEME = "AG1"
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
NONCE_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEY_ID_RE = re.compile(r"key_[A-Za-z0-9]{8,32}")
U64_MAX = 2**64 - 1


def b64url(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---------------------------------------------------------------------------
# The canonical string
# ---------------------------------------------------------------------------

def _percent_decode(text: str) -> bytes:
    """Decodes %XX escapes; '+' stays '+', and a '%' without two hex digits stays '%'."""
    raw = text.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == 0x25 and i + 2 < len(raw) and raw[i + 1] in HEX_DIGITS and raw[i + 2] in HEX_DIGITS:
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def _percent_encode(data: bytes) -> str:
    """Leaves A-Z a-z 0-9 - _ . ~ bare and writes every other byte as uppercase %XX."""
    return "".join(chr(b) if b in UNRESERVED else "%{:02X}".format(b) for b in data)


def canonical_query(raw: str) -> str:
    """The canonical form of a raw query string (without the leading '?')."""
    pairs: List[Tuple[str, str]] = []
    for part in raw.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")  # first '='; none means an empty value
        pairs.append((_percent_encode(_percent_decode(name)), _percent_encode(_percent_decode(value))))
    # Encoded names and values are ASCII, so str order is byte order. Sorting
    # the (name, value) tuples orders by name first, then by value.
    pairs.sort()
    return "&".join(name + "=" + value for name, value in pairs)


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _ascii_upper(text: str) -> str:
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in text)


def canonical_string(key_id: str, timestamp_ms: int, nonce: str, method: str, path: str,
                     query: str, body: bytes, sequence: Optional[int] = None) -> str:
    """The string a request's signature covers: 8 or 9 lines, no trailing newline."""
    lines = [
        SCHEME,
        key_id,
        str(int(timestamp_ms)),
        nonce,
        _ascii_upper(method),
        path,
        canonical_query(query),
        body_sha256(body),
    ]
    if sequence is not None:
        lines.append(str(int(sequence)))
    return "\n".join(lines)


def sign_hmac(api_key: str, canonical: str) -> str:
    """HMAC-SHA256 keyed by the full API key string; base64url, 43 characters."""
    return b64url(hmac.new(api_key.encode("utf-8"), canonical.encode("utf-8"), hashlib.sha256).digest())


# ---------------------------------------------------------------------------
# Ed25519 (RFC 8032, section 5.1), a small reference implementation.
#
# NOT CONSTANT-TIME: its running time depends on the secret key, so it may
# leak the key to someone who can time it closely. It is here so that this
# file needs nothing but the standard library. In production, use a vetted
# library, e.g. `cryptography`:
#     from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
#     signature = Ed25519PrivateKey.from_private_bytes(seed).sign(canonical.encode())
# ---------------------------------------------------------------------------

P = 2**255 - 19                                          # the field prime
L = 2**252 + 27742317777372353535851937790883648493      # the group order
D = (-121665 * pow(121666, P - 2, P)) % P                # the curve constant d
SQRT_M1 = pow(2, (P - 1) // 4, P)                        # a square root of -1

# A point is (X, Y, Z, T) in extended coordinates: x = X/Z, y = Y/Z, x*y = T/Z.
Point = Tuple[int, int, int, int]
IDENTITY: Point = (0, 1, 1, 0)


def _point_add(p: Point, q: Point) -> Point:
    # RFC 8032 5.1.4, the addition formulas for a = -1.
    a = (p[1] - p[0]) * (q[1] - q[0]) % P
    b = (p[1] + p[0]) * (q[1] + q[0]) % P
    c = 2 * p[3] * q[3] * D % P
    d = 2 * p[2] * q[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _point_double(p: Point) -> Point:
    # RFC 8032 5.1.4, the doubling formulas.
    a = p[0] * p[0] % P
    b = p[1] * p[1] % P
    c = 2 * p[2] * p[2] % P
    h = a + b
    e = h - (p[0] + p[1]) ** 2
    g = a - b
    f = c + g
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _scalar_mult(k: int, p: Point) -> Point:
    """[k]p by double-and-add (leaks k through timing: see above)."""
    result = IDENTITY
    while k > 0:
        if k & 1:
            result = _point_add(result, p)
        p = _point_double(p)
        k >>= 1
    return result


def _points_equal(p: Point, q: Point) -> bool:
    return (p[0] * q[2] - q[0] * p[2]) % P == 0 and (p[1] * q[2] - q[1] * p[2]) % P == 0


def _recover_x(y: int, sign: int) -> Optional[int]:
    """The x with x^2 = (y^2 - 1) / (d y^2 + 1) and parity `sign` (RFC 8032 5.1.3)."""
    if y >= P:
        return None
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P != 0:
        if (v * x * x + u) % P != 0:
            return None
        x = x * SQRT_M1 % P
    if x == 0 and sign == 1:
        return None
    return P - x if x & 1 != sign else x


_BY = 4 * pow(5, P - 2, P) % P
_BX = _recover_x(_BY, 0)
BASE: Point = (_BX, _BY, 1, _BX * _BY % P)


def _encode_point(p: Point) -> bytes:
    z_inv = pow(p[2], P - 2, P)
    x, y = p[0] * z_inv % P, p[1] * z_inv % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def _decode_point(data: bytes) -> Optional[Point]:
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    x = _recover_x(y & ((1 << 255) - 1), y >> 255)
    if x is None:
        return None
    y &= (1 << 255) - 1
    return (x, y, 1, x * y % P)


def _sha512_int(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little")


def _expand_seed(seed: bytes) -> Tuple[int, bytes]:
    """The secret scalar (clamped) and the nonce prefix of a 32-byte seed."""
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes")
    h = hashlib.sha512(seed).digest()
    s = int.from_bytes(h[:32], "little")
    s &= ~7                # clear the 3 lowest bits (a multiple of the cofactor 8)
    s &= (1 << 255) - 1    # clear bit 255
    s |= 1 << 254          # set bit 254
    return s, h[32:]


def ed25519_public_key(seed: bytes) -> bytes:
    s, _ = _expand_seed(seed)
    return _encode_point(_scalar_mult(s, BASE))


def _ed25519_sign_bytes(seed: bytes, message: bytes) -> bytes:
    s, prefix = _expand_seed(seed)
    public = _encode_point(_scalar_mult(s, BASE))
    r = _sha512_int(prefix, message) % L                 # deterministic nonce
    big_r = _encode_point(_scalar_mult(r, BASE))
    k = _sha512_int(big_r, public, message) % L
    return big_r + ((r + k * s) % L).to_bytes(32, "little")


def sign_ed25519(seed: bytes, canonical: str) -> str:
    """The Ed25519 signature of the canonical string; base64url, 86 characters."""
    return b64url(_ed25519_sign_bytes(seed, canonical.encode("utf-8")))


def verify_ed25519(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Checks [S]B = R + [k]A (RFC 8032 5.1.7, without the cofactor)."""
    if len(signature) != 64:
        return False
    a = _decode_point(public_key)
    r = _decode_point(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    k = _sha512_int(signature[:32], public_key, message) % L
    return _points_equal(_scalar_mult(s, BASE), _point_add(r, _scalar_mult(k, a)))


# ---------------------------------------------------------------------------
# Signing a request
# ---------------------------------------------------------------------------

def _seed_bytes(seed: Union[bytes, str]) -> bytes:
    return bytes.fromhex(seed) if isinstance(seed, str) else bytes(seed)


def signed_headers(key_id: str, secret_or_seed: Union[str, bytes], method: str, url_path_and_query: str,
                   body: bytes = b"", sequence: Optional[int] = None, algorithm: str = "hmac",
                   clock_offset_ms: int = 0) -> Dict[str, str]:
    """The X-AG-* headers of one request, with a fresh nonce and the current time.

    `url_path_and_query` is the request target exactly as it will be sent,
    e.g. "/v1/assets?category=defi". `secret_or_seed` is the API key string
    for algorithm "hmac", the 32-byte seed (bytes or 64 hex digits) for
    "ed25519". `clock_offset_ms` is what `server_clock_offset` returned.
    Call this again for every attempt: a retry needs a new nonce.
    """
    if "#" in url_path_and_query:
        raise ValueError("a request target has no fragment")
    if sequence is not None and not 0 <= sequence <= U64_MAX:
        raise ValueError("the sequence is a u64")
    path, _, query = url_path_and_query.partition("?")
    timestamp = int(time.time() * 1000) + int(clock_offset_ms)
    nonce = secrets.token_urlsafe(24)  # 32 characters of A-Z a-z 0-9 - _
    canonical = canonical_string(key_id, timestamp, nonce, method, path, query, body, sequence)
    if algorithm == "hmac":
        signature = sign_hmac(str(secret_or_seed), canonical)
    elif algorithm == "ed25519":
        signature = sign_ed25519(_seed_bytes(secret_or_seed), canonical)
    else:
        raise ValueError("algorithm must be 'hmac' or 'ed25519'")
    headers = {
        "X-AG-Key-Id": key_id,
        "X-AG-Timestamp": str(timestamp),
        "X-AG-Nonce": nonce,
        "X-AG-Signature": signature,
    }
    if sequence is not None:
        headers["X-AG-Sequence"] = str(int(sequence))
    return headers


def server_clock_offset(base_url: str) -> int:
    """Milliseconds to add to the local clock to match the server's (NTP-style)."""
    sent = time.time() * 1000
    with urllib.request.urlopen(base_url.rstrip("/") + "/v1/time", timeout=10) as response:
        server_time_ms = json.load(response)["server_time_ms"]
    received = time.time() * 1000
    return round(server_time_ms - (sent + received) / 2)


# ---------------------------------------------------------------------------
# Known-answer vectors
# ---------------------------------------------------------------------------

KEY_ID = "key_3XfN8bQ2LrT7"
SECRET = "ag_test_5Q2vUJ9wKx8mRbT3nYc7LpZ4sD6fH1gA0eWqVrXyKjM2oNt9Pi"
TIMESTAMP = 1764316800123
NONCE = "n0nce-Xy7_abcdefGH"
RFC8032_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC8032_SIGNATURE = ("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
                     "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
# A second seed, derived in the open so anyone can rebuild it.
EXAMPLE_SEED = hashlib.sha256(b"altgate AG1 example ed25519 seed").hexdigest()
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _base62(number: int, width: int) -> str:
    digits = ""
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits = BASE62[digit] + digits
    return digits


def _example_api_key(environment: str, label: bytes) -> str:
    """A well-formed key (random part and CRC32 checksum) from public, fixed entropy."""
    random_part = _base62(int.from_bytes(hashlib.sha256(label).digest(), "big"), 43)
    return "ag_{}_{}{}".format(environment, random_part, _base62(binascii.crc32(random_part.encode()), 6))


# The published known answers use SECRET, whose checksum does not verify;
# the other HMAC vectors use well-formed keys, so a server test can load them.
TEST_KEY_ID, TEST_SECRET = "key_Hm4cT3stK9yQ2wPb", _example_api_key("test", b"altgate AG1 example test key")
LIVE_SECRET = _example_api_key("live", b"altgate AG1 example live key")

# (name, algorithm, key id, secret or seed hex, timestamp, nonce, method, target, body, sequence)
_CASES = [
    ("known answer: GET /v1/assets/bitcoin", "hmac-sha256", KEY_ID, SECRET, TIMESTAMP, NONCE,
     "GET", "/v1/assets/bitcoin", b"", None),
    ("known answer: POST /v1/keys with query and JSON body", "hmac-sha256", KEY_ID, SECRET, TIMESTAMP, NONCE,
     "POST", "/v1/keys?b=2&a=%c3%a9t%c3%a9&a=1&c=&d=x+y&&e", b'{"name":"bot-2","scopes":["read"]}', None),
    ("hmac: POST with an empty body", "hmac-sha256", TEST_KEY_ID, TEST_SECRET, TIMESTAMP + 1000, "aB3dE5gH7jK9mN1p",
     "POST", "/v1/keys/key_9Hw2Lq7ZpR4sXvB1k/revoke", b"", None),
    ("ed25519: POST with an empty body", "ed25519", "key_7EdPk2Qz9WxR4mLa", EXAMPLE_SEED, TIMESTAMP + 1000,
     "aB3dE5gH7jK9mN1p", "POST", "/v1/keys/key_9Hw2Lq7ZpR4sXvB1k/revoke", b"", None),
    ("hmac: binary body (not UTF-8)", "hmac-sha256", TEST_KEY_ID, TEST_SECRET, TIMESTAMP + 2000, "bin_body-0123456789",
     "PUT", "/v1/blobs/raw", bytes([0x00, 0xFF, 0x10, 0x80, 0xFE]), None),
    ("ed25519: binary body (not UTF-8)", "ed25519", "key_7EdPk2Qz9WxR4mLa", EXAMPLE_SEED, TIMESTAMP + 2000,
     "bin_body-0123456789", "PUT", "/v1/blobs/raw", bytes([0x00, 0xFF, 0x10, 0x80, 0xFE]), None),
    ("hmac: JSON body with UTF-8 text, live key", "hmac-sha256", "key_LiveK3y8Tq5Wn2Zc", LIVE_SECRET,
     TIMESTAMP + 3000, "Xr7_Kp2-Lm9Qw4Zt8Vb1Nc6Hd3", "POST", "/v1/keys",
     '{"name":"café-bot","scopes":["read"],"labels":{"team":"München"}}'.encode("utf-8"), None),
    ("ed25519: JSON body", "ed25519", "key_7EdPk2Qz9WxR4mLa", EXAMPLE_SEED, TIMESTAMP + 3000,
     "Xr7_Kp2-Lm9Qw4Zt8Vb1Nc6Hd3", "POST", "/v1/keys",
     b'{"name":"bot-3","scopes":["read"],"signature_required":true}', None),
    ("hmac: repeated query parameters in unsorted order", "hmac-sha256", TEST_KEY_ID, TEST_SECRET, TIMESTAMP + 4000,
     "repeat-params_00001", "GET",
     "/v1/assets?symbol=eth&limit=10&symbol=btc&fields=id,symbol&symbol=ada&after=", b"", None),
    ("ed25519: repeated query parameters in unsorted order", "ed25519", "key_7EdPk2Qz9WxR4mLa", EXAMPLE_SEED,
     TIMESTAMP + 4000, "repeat-params_00001", "GET",
     "/v1/assets?symbol=eth&limit=10&symbol=btc&fields=id,symbol&symbol=ada&after=", b"", None),
    ("hmac: sorted by name then value, not by the joined pair", "hmac-sha256", TEST_KEY_ID, TEST_SECRET, TIMESTAMP + 4500,
     "sort-order_0000001", "GET", "/v1/assets?a-b=1&a=2&a.b=3&B=4&a=10&~=5&_=6&0=7", b"", None),
    ("hmac: unicode and awkward query encodings", "hmac-sha256", TEST_KEY_ID, TEST_SECRET, TIMESTAMP + 5000,
     "unicode_query_0001", "GET",
     "/v1/search?q=%E2%82%BF+%e2%82%ac&name=caf%C3%A9&sp=a%20b&pct=100%&bad=%4g%&eq=a=b=c&flag&t=%7e%41",
     b"", None),
    ("ed25519: unicode and awkward query encodings", "ed25519", "key_7EdPk2Qz9WxR4mLa", EXAMPLE_SEED,
     TIMESTAMP + 5000, "unicode_query_0001", "GET",
     "/v1/search?q=%E2%82%BF+%e2%82%ac&name=caf%C3%A9&sp=a%20b&pct=100%&bad=%4g%&eq=a=b=c&flag&t=%7e%41",
     b"", None),
    ("hmac: query of separators only is empty", "hmac-sha256", TEST_KEY_ID, TEST_SECRET, TIMESTAMP + 5500,
     "only-separators_01", "GET", "/v1/assets?&&", b"", None),
    ("hmac: percent-encoded path kept as sent", "hmac-sha256", TEST_KEY_ID, TEST_SECRET, TIMESTAMP + 6000,
     "path-pct_encoded01", "GET", "/v1/assets/bit%2Dcoin", b"", None),
    ("ed25519: percent-encoded path kept as sent", "ed25519", "key_7EdPk2Qz9WxR4mLa", EXAMPLE_SEED,
     TIMESTAMP + 6000, "path-pct_encoded01", "GET", "/v1/assets/bit%2Dcoin", b"", None),
    ("hmac: lowercase method is uppercased", "hmac-sha256", TEST_KEY_ID, TEST_SECRET, TIMESTAMP + 7000,
     "lower-method_00001", "delete", "/v1/keys/key_9Hw2Lq7ZpR4sXvB1k", b"", None),
    ("ed25519: lowercase method is uppercased", "ed25519", "key_7EdPk2Qz9WxR4mLa", EXAMPLE_SEED,
     TIMESTAMP + 7000, "lower-method_00001", "delete", "/v1/keys/key_9Hw2Lq7ZpR4sXvB1k", b"", None),
    ("hmac: sequence 42", "hmac-sha256", TEST_KEY_ID, TEST_SECRET, TIMESTAMP + 8000, "sequence-42_abcdefgh",
     "GET", "/v1/assets/ethereum", b"", 42),
    ("ed25519: sequence 42", "ed25519", "key_7EdPk2Qz9WxR4mLa", EXAMPLE_SEED, TIMESTAMP + 8000,
     "sequence-42_abcdefgh", "GET", "/v1/assets/ethereum", b"", 42),
    ("hmac: sequence u64 max, 64-character nonce", "hmac-sha256", TEST_KEY_ID, TEST_SECRET, TIMESTAMP + 9000,
     "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-", "POST", "/v1/keys",
     b'{"name":"seq","scopes":["read"]}', U64_MAX),
    ("ed25519: sequence u64 max", "ed25519", "key_7EdPk2Qz9WxR4mLa", EXAMPLE_SEED, TIMESTAMP + 9000,
     "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-", "POST", "/v1/keys",
     b'{"name":"seq","scopes":["read"]}', U64_MAX),
    ("ed25519: RFC 8032 test-1 seed, GET /v1/assets/bitcoin", "ed25519", "key_Rfc8032Test1Ky", RFC8032_SEED,
     TIMESTAMP, NONCE, "GET", "/v1/assets/bitcoin", b"", None),
]


def generate_vectors() -> dict:
    vectors = []
    for name, algorithm, key_id, secret, timestamp, nonce, method, target, body, sequence in _CASES:
        path, _, query = target.partition("?")
        canonical = canonical_string(key_id, timestamp, nonce, method, path, query, body, sequence)
        vector = {"name": name, "algorithm": algorithm, "key_id": key_id}
        if algorithm == "hmac-sha256":
            vector["secret"] = secret
            signature = sign_hmac(secret, canonical)
        else:
            seed = bytes.fromhex(secret)
            vector["seed_hex"] = secret
            vector["public_key"] = b64url(ed25519_public_key(seed))
            signature = sign_ed25519(seed, canonical)
        vector.update({
            "timestamp": timestamp,
            "nonce": nonce,
            "method": method,
            "path": path,
            "query": query,
            "body_hex": body.hex(),
            "sequence": sequence,
            "canonical_query": canonical_query(query),
            "body_sha256": body_sha256(body),
            "canonical_string": canonical,
            "signature": signature,
        })
        vectors.append(vector)
    return {
        "scheme": SCHEME,
        "description": "Known-answer vectors for Altgate request signing. Generated by docs/examples/sign.py "
                       "generate-vectors; checked by the Rust server, the Rust SDK and sign.py selftest.",
        "vectors": vectors,
    }


# ---------------------------------------------------------------------------
# Self-test
# ---------------------------------------------------------------------------

def _check_vector(v: dict) -> List[str]:
    """The differences between a vector and this implementation (empty when it matches)."""
    problems = []

    def expect(field: str, got: object) -> None:
        if v.get(field) != got:
            problems.append("{}: expected {!r}, got {!r}".format(field, v.get(field), got))

    if not KEY_ID_RE.fullmatch(v["key_id"]):
        problems.append("key_id {!r} is not a valid key id".format(v["key_id"]))
    if not NONCE_RE.fullmatch(v["nonce"]):
        problems.append("nonce {!r} is not a valid nonce".format(v["nonce"]))
    if v["sequence"] is not None and not 0 <= v["sequence"] <= U64_MAX:
        problems.append("sequence is not a u64")
    body = bytes.fromhex(v["body_hex"])
    expect("canonical_query", canonical_query(v["query"]))
    expect("body_sha256", body_sha256(body))
    canonical = canonical_string(v["key_id"], v["timestamp"], v["nonce"], v["method"], v["path"], v["query"],
                                 body, v["sequence"])
    expect("canonical_string", canonical)
    if v["algorithm"] == "hmac-sha256":
        expect("signature", sign_hmac(v["secret"], canonical))
    elif v["algorithm"] == "ed25519":
        seed = bytes.fromhex(v["seed_hex"])
        expect("public_key", b64url(ed25519_public_key(seed)))
        expect("signature", sign_ed25519(seed, canonical))
        public = b64url_decode(v["public_key"])
        signature = b64url_decode(v["signature"])
        if not verify_ed25519(public, canonical.encode("utf-8"), signature):
            problems.append("signature: does not verify under public_key")
    else:
        problems.append("unknown algorithm {!r}".format(v["algorithm"]))
    return problems


def selftest(vectors_path: Optional[str], explicit: bool) -> int:
    failures = 0
    seed, public = bytes.fromhex(RFC8032_SEED), bytes.fromhex(RFC8032_PUBLIC)
    signature = bytes.fromhex(RFC8032_SIGNATURE)
    rfc_ok = (ed25519_public_key(seed) == public
              and _ed25519_sign_bytes(seed, b"") == signature
              and verify_ed25519(public, b"", signature)
              and not verify_ed25519(public, b"x", signature))
    print("{}  RFC 8032 section 7.1 test 1 (empty message)".format("ok  " if rfc_ok else "FAIL"))
    failures += not rfc_ok

    if vectors_path is None or (not explicit and not os.path.exists(vectors_path)):
        print("note  no vectors file found; only the RFC 8032 test ran")
        return 1 if failures else 0
    try:
        with open(vectors_path, encoding="utf-8") as f:
            document = json.load(f)
    except (OSError, ValueError) as error:
        print("FAIL  cannot read {}: {}".format(vectors_path, error))
        return 1
    if document.get("scheme") != SCHEME:
        print("FAIL  {}: scheme is {!r}, not {!r}".format(vectors_path, document.get("scheme"), SCHEME))
        failures += 1
    for v in document["vectors"]:
        problems = _check_vector(v)
        print("{}  {} ({})".format("FAIL" if problems else "ok  ", v["name"], v["algorithm"]))
        for problem in problems:
            print("        " + problem)
        failures += bool(problems)
    total = len(document["vectors"]) + 1
    print("{} of {} checks passed".format(total - failures, total))
    return 1 if failures else 0


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def _send(request: urllib.request.Request) -> Tuple[int, bytes]:
    """The status and body of one request; an error status is an answer too."""
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _seed_arg(text: str) -> Optional[bytes]:
    """A 32-byte seed from 64 hex digits, or None (after saying why)."""
    try:
        seed = bytes.fromhex(text)
    except ValueError:
        seed = b""
    if len(seed) != 32:
        print("--seed-hex must be 64 hex digits (a 32-byte Ed25519 seed)", file=sys.stderr)
        return None
    return seed


def _request(args: argparse.Namespace) -> int:
    if args.seed_hex:
        seed = _seed_arg(args.seed_hex)
        if seed is None:
            return 2
        algorithm, secret = "ed25519", seed
    else:
        algorithm, secret = "hmac", args.key or os.environ.get("ALTGATE_KEY")
        if not secret:
            print("give --key, --seed-hex or set ALTGATE_KEY", file=sys.stderr)
            return 2
    base = args.url.rstrip("/")
    target = args.path_and_query if args.path_and_query.startswith("/") else "/" + args.path_and_query
    body = args.data.encode("utf-8") if args.data is not None else b""
    method = args.method.upper()
    try:
        offset = server_clock_offset(base)
        headers = signed_headers(args.key_id, secret, method, target, body, args.sequence, algorithm, offset)
        if body:
            headers["Content-Type"] = "application/json"
        send_body = body if body or method in ("POST", "PUT", "PATCH") else None
        request = urllib.request.Request(base + target, data=send_body, headers=headers, method=method)
        status, text = _send(request)
        # The identical bytes again, as someone who captured them would send them.
        replay = _send(request) if args.replay else None
    except (urllib.error.URLError, OSError, ValueError) as error:
        print("request failed: {}".format(error), file=sys.stderr)
        return 1
    print(status)
    print(text.decode("utf-8", "replace"))
    if replay is None:
        return 0 if status < 400 else 1
    print("replayed: {}".format(replay[0]))
    print(replay[1].decode("utf-8", "replace"))
    return 0 if status < 400 <= replay[0] else 1


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Sign Altgate requests (AG1).")
    commands = parser.add_subparsers(dest="command", required=True)
    test = commands.add_parser("selftest", help="check RFC 8032 test 1 and the known-answer vectors")
    test.add_argument("vectors", nargs="?", help="the vectors file (default: ../../tests/vectors/signing.json)")
    send = commands.add_parser("request", help="sign and send one request")
    send.add_argument("--url", default=os.environ.get("ALTGATE_URL", "http://127.0.0.1:8080"))
    send.add_argument("--key-id", required=True)
    secret = send.add_mutually_exclusive_group()
    secret.add_argument("--key", help="the API key (HMAC); default: $ALTGATE_KEY")
    secret.add_argument("--seed-hex", help="the Ed25519 private seed, 64 hex digits")
    send.add_argument("--method", default="GET")
    send.add_argument("--data", help="the request body (sent as application/json)")
    send.add_argument("--sequence", type=int)
    send.add_argument("--replay", action="store_true",
                      help="send the identical request a second time, to see it refused")
    send.add_argument("path_and_query", metavar="PATH_AND_QUERY")
    public = commands.add_parser("public-key", help="print the public key of an Ed25519 seed, for creating a key")
    public.add_argument("--seed-hex", required=True, help="the private seed, 64 hex digits")
    commands.add_parser("generate-vectors", help="print tests/vectors/signing.json")
    args = parser.parse_args(argv)

    if args.command == "selftest":
        default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "vectors",
                               "signing.json")
        return selftest(args.vectors or os.path.normpath(default), explicit=args.vectors is not None)
    if args.command == "request":
        return _request(args)
    if args.command == "public-key":
        seed = _seed_arg(args.seed_hex)
        if seed is None:
            return 2
        print(b64url(ed25519_public_key(seed)))
        return 0
    sys.stdout.write(json.dumps(generate_vectors(), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
