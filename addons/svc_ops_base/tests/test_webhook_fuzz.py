import json
import random
import time

from odoo.tests import tagged

from .common import SvcOpsHttpCase

ROUNDS = 300
# refused before the signature is known to be good: not counted on the source
UNSIGNED_REFUSALS = (401, 405, 413)


@tagged("post_install", "-at_install")
class TestWebhookFuzz(SvcOpsHttpCase):
    """A few hundred random and mutated requests: never a 5xx, never HTML, and exactly one
    stored event per distinct valid id."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source, cls.secret = cls._make_source("fuzz", max_payload_size=64 * 1024)

    def test_fuzzed_requests_never_break_the_webhook(self):
        rng = random.Random(20240617)
        valid_ids = [f"fuzz-{n}" for n in range(60)] + list(range(1000, 1020))
        sent_valid = set()
        statuses = []
        mutations = [
            self._valid, self._random_bytes, self._bad_fields, self._truncated, self._deep,
            self._bad_signature, self._bad_timestamp, self._oversized, self._odd_values, self._id_header_mismatch,
        ]  # fmt: skip
        for _round in range(ROUNDS):
            mutation = rng.choice(mutations)
            event_id = rng.choice(valid_ids)
            body, headers, valid = mutation(rng, event_id)
            response = self._post("fuzz", body, headers)
            statuses.append(response.status_code)
            self.assertLess(response.status_code, 500, f"{mutation.__name__}: {body[:200]!r}")
            answer = response.json()
            self.assertEqual(set(answer), {"status", "event", "error"}, mutation.__name__)
            if valid:
                self.assertIn(response.status_code, (200, 202), f"{mutation.__name__}: {answer}")
                self.assertEqual(response.status_code == 202, str(event_id) not in sent_valid, answer)
                sent_valid.add(str(event_id))
            else:
                self.assertGreaterEqual(response.status_code, 400, f"{mutation.__name__}: {answer}")
        stored = self.env["svc.inbox.event"].search([("source_id", "=", self.source.id)])
        self.assertEqual(sorted(stored.mapped("event_id")), sorted(sent_valid), "one event per valid id")
        self.assertEqual(len(stored), len(sent_valid))
        self.source.invalidate_recordset()
        self.assertEqual(
            self.source.failure_count,
            sum(status >= 400 and status not in UNSIGNED_REFUSALS for status in statuses),
            "every refusal of a signed request is counted on the source, no unsigned one",
        )
        self.assertGreater(len(sent_valid), 20, "the fuzz mixes enough valid events")
        self.assertGreater(len(set(statuses)), 5, "the fuzz reaches most refusal codes")

    # Each mutation returns (body, headers, valid).
    def _signed(self, body, event_id=None):
        return body, self._headers(self.secret, body, event_id=event_id), False

    def _valid(self, rng, event_id):
        data = {"message": rng.choice(["hello", "é ü 漢字", "x" * rng.randint(1, 500)]), "n": rng.random()}
        body = json.dumps({"id": event_id, "type": "svc.ping", "data": data}).encode()
        return body, self._headers(self.secret, body, event_id=event_id if rng.random() < 0.5 else None), True

    def _random_bytes(self, rng, event_id):
        return self._signed(bytes(rng.getrandbits(8) for _i in range(rng.randint(0, 300))))

    def _bad_fields(self, rng, event_id):
        envelope = {"id": event_id, "type": "svc.ping", "data": {"message": "m"}}
        key = rng.choice(["id", "type", "data"])
        envelope[key] = rng.choice([None, True, [], {}, "", 3.5, [1, 2], "t" * 300, {"nested": 1}])
        if key == "id" and isinstance(envelope["id"], dict):
            envelope["id"] = {"id": 1}
        if key == "data" and isinstance(envelope["data"], dict):
            envelope["type"] = "not.allowed"
        if key == "type" and envelope["type"] == "t" * 300:
            envelope["type"] = "unknown.type"
        if rng.random() < 0.3:
            del envelope[key]
            if key == "data":
                envelope["type"] = 42
        return self._signed(json.dumps(envelope).encode())

    def _truncated(self, rng, event_id):
        body = json.dumps({"id": event_id, "type": "svc.ping", "data": {"message": "m"}}).encode()
        return self._signed(body[: rng.randint(0, len(body) - 1)])

    def _deep(self, rng, event_id):
        depth = rng.choice([50, 1500, 3000])
        body = json.dumps({"id": event_id, "type": "svc.ping"})[:-1].encode()
        body += b', "data": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"
        body, headers, _valid = self._signed(body)
        return body, headers, depth == 50  # deeper than Python's recursion limit: malformed

    def _bad_signature(self, rng, event_id):
        body = json.dumps({"id": event_id, "type": "svc.ping", "data": {"message": "m"}}).encode()
        headers = self._headers(self.secret, body)
        signature = headers["X-Svc-Signature"]
        choice = rng.randint(0, 3)
        if choice == 0:
            position = rng.randint(7, len(signature) - 1)
            headers["X-Svc-Signature"] = (
                signature[:position]
                + ("0" if signature[position] != "0" else "1")
                + signature[position + 1 :]
            )
        elif choice == 1:
            headers["X-Svc-Signature"] = signature.replace("sha256=", "sha1=")
        elif choice == 2:
            del headers["X-Svc-Signature"]
        else:
            headers["X-Svc-Signature"] = "sha256=" + "".join(
                rng.choice("0123456789abcdef") for _i in range(64)
            )
        return body, headers, False

    def _bad_timestamp(self, rng, event_id):
        body = json.dumps({"id": event_id, "type": "svc.ping", "data": {"message": "m"}}).encode()
        moment = rng.choice([time.time() - 3600, time.time() + 3600, 0])
        headers = self._headers(self.secret, body, now=moment)
        if rng.random() < 0.3:
            headers["X-Svc-Timestamp"] = rng.choice(["", "abc", "-1", "1e9", "99999999999999999999"])
        return body, headers, False

    def _oversized(self, rng, event_id):
        body = json.dumps({"id": event_id, "type": "svc.ping", "data": {"message": "m" * 70000}}).encode()
        return self._signed(body)

    def _odd_values(self, rng, event_id):
        text = rng.choice(
            ['{"x": NaN}', '{"x": Infinity}', '{"x": "\\u0000"}', '{"x": "\\udc00"}', '{"x": 1e400}', "1e400"]
        )
        body = f'{{"id": "{event_id}", "type": "svc.ping", "data": {text}}}'.encode()
        return self._signed(body)

    def _id_header_mismatch(self, rng, event_id):
        body = json.dumps({"id": event_id, "type": "svc.ping", "data": {"message": "m"}}).encode()
        return self._signed(body, event_id=f"{event_id}-other")
