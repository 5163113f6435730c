"""Signing and retry arithmetic shared by the webhook inbox and the outbox (pure functions).

A signature is ``sha256=<hex>`` of HMAC-SHA256, keyed with the shared secret, over the
bytes ``b"<timestamp>." + body``; the timestamp (unix seconds) travels in
``X-Svc-Timestamp``. Binding the timestamp into the signature lets a receiver refuse
replays of an old request: one more than ``TOLERANCE_SECONDS`` off is refused.
"""

import hashlib
import hmac
import random
import time

SIGNATURE_HEADER = "X-Svc-Signature"
TIMESTAMP_HEADER = "X-Svc-Timestamp"
EVENT_ID_HEADER = "X-Svc-Event-Id"
TOLERANCE_SECONDS = 300


def sign(secret, timestamp, body):
    """Return ``sha256=<hex>`` for `body` (bytes) sent at `timestamp` (unix seconds)."""
    if isinstance(body, str):
        body = body.encode()
    message = f"{int(timestamp)}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_headers(secret, body, event_id=None, now=None):
    """The headers a sender adds to a signed request (Content-Type included)."""
    timestamp = int(now if now is not None else time.time())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    if event_id is not None:
        headers[EVENT_ID_HEADER] = str(event_id)
    return headers


def parse_timestamp(value):
    """The integer unix timestamp of a header value, or None when it is not one."""
    value = (value or "").strip()
    if not value or len(value) > 12 or not value.isdigit():
        return None
    return int(value)


def is_fresh(timestamp, now=None, tolerance=TOLERANCE_SECONDS):
    """True when `timestamp` is within `tolerance` seconds of `now` (either side)."""
    now = now if now is not None else time.time()
    return timestamp is not None and abs(now - timestamp) <= tolerance


def verify(secrets, timestamp, body, signature):
    """True when `signature` matches `body` at `timestamp` for one of `secrets`.

    Every candidate is compared in constant time (hmac.compare_digest), and all of them
    are always compared, so the answer time does not tell which secret nearly matched.
    """
    if not signature or timestamp is None:
        return False
    signature = signature.strip().encode("ascii", "replace")
    matched = False
    for secret in secrets:
        if secret and hmac.compare_digest(sign(secret, timestamp, body).encode(), signature):
            matched = True
    return matched


def backoff_seconds(attempt, base=30, cap=6 * 3600, rng=random):
    """Delay before retry number `attempt` (1 = first retry): base * 2^(attempt-1), capped.

    "Full jitter" on the upper half: the delay is uniform in [d/2, d], so retries of
    many rows that failed together spread out instead of hitting the peer at once.
    """
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return delay / 2 + rng.random() * delay / 2
