import hashlib
import hmac
import random

from odoo.tests import BaseCase

from odoo.addons.svc_ops_base.models.signing import (
    backoff_seconds,
    is_fresh,
    parse_timestamp,
    sign,
    signature_headers,
    verify,
)


class TestSigning(BaseCase):
    """The signature contract partners implement: HMAC-SHA256 of "<timestamp>.<body>"."""

    def test_signature_is_hmac_sha256_of_timestamp_dot_body(self):
        body = b'{"id":"1","type":"svc.ping","data":{}}'
        expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
        self.assertEqual(sign("s3cret", 1700000000, body), f"sha256={expected}")
        headers = signature_headers("s3cret", body, event_id="1", now=1700000000)
        self.assertEqual(headers["X-Svc-Timestamp"], "1700000000")
        self.assertEqual(headers["X-Svc-Signature"], f"sha256={expected}")
        self.assertEqual(headers["X-Svc-Event-Id"], "1")

    def test_verify_accepts_any_valid_secret_and_refuses_tampering(self):
        body = b'{"a": 1}'
        signature = sign("new", 1700000000, body)
        self.assertTrue(verify(["new"], 1700000000, body, signature))
        self.assertTrue(
            verify(["other", "new"], 1700000000, body, signature), "the previous secret may match"
        )
        self.assertFalse(verify(["other"], 1700000000, body, signature))
        self.assertFalse(verify(["new"], 1700000001, body, signature), "the timestamp is signed")
        self.assertFalse(verify(["new"], 1700000000, body + b" ", signature), "the body is signed")
        self.assertFalse(verify(["new"], 1700000000, body, signature.upper()))
        self.assertFalse(verify(["new"], 1700000000, body, None))
        self.assertFalse(verify(["new"], 1700000000, body, "sha256=é"))
        self.assertFalse(verify([], 1700000000, body, signature))

    def test_timestamps_must_be_unix_seconds_within_five_minutes(self):
        self.assertEqual(parse_timestamp(" 1700000000 "), 1700000000)
        for garbage in (None, "", "abc", "-5", "1.5", "1" * 20):
            self.assertIsNone(parse_timestamp(garbage), garbage)
        self.assertTrue(is_fresh(1700000000, now=1700000300))
        self.assertTrue(is_fresh(1700000300, now=1700000000), "a clock slightly ahead is fine")
        self.assertFalse(is_fresh(1700000000, now=1700000301))
        self.assertFalse(is_fresh(None, now=1700000000))

    def test_backoff_grows_exponentially_with_jitter_and_a_cap(self):
        rng = random.Random(7)
        delays = [backoff_seconds(attempt, base=30, cap=3600, rng=rng) for attempt in range(1, 10)]
        for attempt, delay in enumerate(delays, start=1):
            nominal = min(3600, 30 * 2 ** (attempt - 1))
            self.assertGreaterEqual(delay, nominal / 2)
            self.assertLessEqual(delay, nominal)
        self.assertLess(delays[0], delays[4])
        self.assertLessEqual(max(delays), 3600)
        spread = {round(backoff_seconds(3, rng=rng), 3) for _i in range(20)}
        self.assertGreater(len(spread), 10, "jitter spreads retries of rows that failed together")
