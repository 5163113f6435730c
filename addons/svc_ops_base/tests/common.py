import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.tests import HttpCase, TransactionCase, new_test_user

from odoo.addons.svc_ops_base.models.signing import signature_headers


def _create_ops_users(cls):
    cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_notrack=True))
    cls.ops_manager = new_test_user(
        cls.env, "svc_ops_manager", groups="base.group_user,svc_ops_base.group_ops_manager"
    )
    cls.ops_user = new_test_user(cls.env, "svc_ops_user", groups="base.group_user")
    cls.other_user = new_test_user(cls.env, "svc_ops_other", groups="base.group_user")


class SvcOpsCase(TransactionCase):
    """Fixtures shared by the suite's tests: users with the real groups, no tracking noise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _create_ops_users(cls)


class IntegrationMixin:
    """Sources, signed envelopes and the svc.ping event type, created as an ops manager does."""

    @classmethod
    def _make_source(cls, code, **values):
        """A source created by the ops manager; returns (source, its secret as shown once)."""
        ping = cls.env.ref("svc_ops_base.event_type_svc_ping")
        source = (
            cls.env["svc.integration.source"]
            .with_user(cls.ops_manager)
            .create(
                dict(
                    {"name": f"Source {code}", "code": code, "allowed_event_type_ids": [(6, 0, ping.ids)],
                     "responsible_user_id": cls.ops_user.id},
                    **values,
                )
            )
        )  # fmt: skip
        action = source.action_rotate_secret()
        secret = cls.env[action["res_model"]].with_user(cls.ops_manager).browse(action["res_id"]).secret
        return source, secret

    @staticmethod
    def _body(event_id, event_type="svc.ping", data=None):
        envelope = {
            "id": event_id,
            "type": event_type,
            "data": {"message": "hello"} if data is None else data,
        }
        return json.dumps(envelope).encode()

    @staticmethod
    def _headers(secret, body, event_id=None, now=None):
        return signature_headers(secret, body, event_id=event_id, now=now)


class SvcOpsHttpCase(IntegrationMixin, HttpCase):
    """Real HTTP against the real route, with the suite's users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _create_ops_users(cls)

    def _post(self, code, body, headers):
        """POST raw bytes (also empty ones) to the webhook of `code`; returns the response."""
        self.env.flush_all()
        return self.opener.post(
            f"{self.base_url()}/svc/webhook/{code}", data=body, headers=headers, timeout=30
        )


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that gave up (timeout) leaves a broken pipe: expected, not worth a traceback."""


class StandIn:
    """A local HTTP peer on 127.0.0.1 that records requests and answers from a script.

    ``script`` is a list of behaviours used one per request, then "200" forever:
    "200", "500", "404", "429", or "timeout" (answers only after `slow_seconds`).
    """

    def __init__(self, slow_seconds=1.0):
        self.requests, self.script, self.slow_seconds = [], [], slow_seconds
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with stand_in.lock:
                    stand_in.requests.append({"headers": dict(self.headers), "body": body})
                    behaviour = stand_in.script.pop(0) if stand_in.script else "200"
                if behaviour == "timeout":
                    time.sleep(stand_in.slow_seconds)
                    behaviour = "200"
                answer = b'{"ok": true}'
                self.send_response(int(behaviour))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                return

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def event_ids(self):
        return [json.loads(request["body"])["id"] for request in self.requests]
