"""Outbound endpoints cannot make the server call its own network (SSRF).

A manager of integrations saves webhook URLs; a URL whose host is loopback, link-local,
private or unspecified is refused at save and again at delivery (DNS can change after the
save), unless an administrator allows it in the system parameter
svc_ops_base.allow_private_endpoints. No test resolves an outside host: IP literals and
"localhost" only.
"""

from unittest.mock import patch

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.svc_ops_base.models import url_guard

PARAM = "svc_ops_base.allow_private_endpoints"

REFUSED = [
    "http://127.0.0.1:5432/",
    "http://127.1.2.3/hook",
    "http://localhost:8069/web/database/list",
    "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://172.16.0.1/hook",
    "http://172.31.255.254/hook",
    "http://192.168.1.1/hook",
    "http://[fc00::1]/hook",
    "http://[fd12:3456::1]/hook",
    "http://0.0.0.0:8069/",
    "http://[::ffff:127.0.0.1]/hook",
    "https://user:pass@127.0.0.1/hook",
    "http://2130706433/hook",
]
PUBLIC = [
    "https://93.184.215.14/hook",
    "http://8.8.8.8/hook",
    "https://[2606:4700::1111]/hook",
    "http://172.32.0.1/",
]


@tagged("post_install", "-at_install")
class TestEndpointUrlGuard(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "ssrf_manager", groups="base.group_user,svc_ops_base.group_ops_manager"
        )
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param(PARAM, False)
        cls.ping = cls.env.ref("svc_ops_base.event_type_svc_ping")

    def _create(self, url):
        return (
            self.env["svc.webhook.endpoint"]
            .with_user(self.manager)
            .create({"name": "Hook", "url": url, "event_type_ids": [(6, 0, self.ping.ids)]})
        )

    def test_private_urls_are_refused_at_save_with_a_sentence(self):
        for url in REFUSED:
            with self.subTest(url=url), self.assertRaisesRegex(ValidationError, PARAM):
                self._create(url)
        endpoint = self._create("https://93.184.215.14/hook")
        for url in REFUSED:
            with (
                self.subTest(url=url),
                self.assertRaisesRegex(ValidationError, "private"),
                self.env.cr.savepoint(),
            ):
                endpoint.write({"url": url})
        self.env.invalidate_all()
        self.assertEqual(endpoint.url, "https://93.184.215.14/hook")

    def test_public_addresses_are_accepted(self):
        for url in PUBLIC:
            with self.subTest(url=url):
                self.assertTrue(self._create(url))

    def test_an_administrator_allows_a_host_or_every_host(self):
        self.params.set_param(PARAM, "10.0.0.5, erp.internal")
        self.assertTrue(self._create("http://10.0.0.5/hook"))
        with self.assertRaises(ValidationError):
            self._create("http://10.0.0.6/hook")
        self.params.set_param(PARAM, "True")
        self.assertTrue(self._create("http://127.0.0.1:9/hook"))

    def test_the_manager_cannot_allow_it_themselves(self):
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(self.manager).set_param(PARAM, "True")

    def test_delivery_refuses_a_host_that_turned_private_and_sends_nothing(self):
        """Saved while public; the name resolves to 127.0.0.1 at delivery time (DNS rebinding)."""
        with patch.object(url_guard, "resolve", return_value=["93.184.215.14"]):
            endpoint = self._create("https://hooks.example.com/x")
        partner = self.env["res.partner"].create({"name": "Site"})
        rows = self.env["svc.outbox.event"]._publish("svc.ping", partner, {"message": "hi"})
        self.assertTrue(rows)
        with (
            patch.object(url_guard, "resolve", return_value=["127.0.0.1"]),
            patch("requests.Session.post") as post,
        ):
            rows.sudo()._deliver()
        post.assert_not_called()
        row = rows.sudo()
        self.assertEqual(row.state, "dead")
        self.assertIn("127.0.0.1", row.last_error)
        self.assertIn(PARAM, row.last_error)
        self.assertEqual(endpoint.dead_count, 1)

    def test_test_event_button_reports_the_refusal(self):
        self.params.set_param(PARAM, "True")
        endpoint = self._create("http://127.0.0.1:9/hook")
        self.params.set_param(PARAM, False)
        action = endpoint.action_send_test_event()
        self.assertIn("private", action["params"]["message"])
        self.assertEqual(endpoint.sudo().dead_count, 1)

    def test_pure_helpers(self):
        for address in (
            "127.0.0.1",
            "::1",
            "169.254.1.1",
            "10.1.1.1",
            "172.20.0.1",
            "192.168.0.1",
            "fc00::1",
            "0.0.0.0",
            "::",
            "::ffff:10.0.0.1",
            "fe80::1%eth0",
        ):
            self.assertTrue(url_guard.is_blocked_address(address), address)
        for address in ("8.8.8.8", "172.32.0.1", "2606:4700::1111"):
            self.assertFalse(url_guard.is_blocked_address(address), address)
        self.assertIsNone(url_guard.url_host("http://[broken/"))
        self.assertEqual(url_guard.url_host("HTTP://Example.COM./x"), "example.com")
