"""Authority and change control (issue 25), tried as the demo users would over RPC.

Who decides comes from who holds the authority: a delegation is set up by its delegator or
a policy manager, never by the delegate; "requested by" is the caller. The inputs of a
policy (supplier risk, a readiness's scope) are changed by their manager group only.
Integration data is for the integration managers. Public methods check the caller's
rights; the decision wizard takes ids as data.
"""

import unittest
import xmlrpc.client
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.svc_approval_matrix.wizards.svc_approval_decision_wizard import parse_ids
from odoo.addons.svc_ops_base.models import svc_integration_source

DEMO_LOGINS = (
    "admin", "requester", "approver", "warehouse", "procurement", "buyer",
    "finance", "resource", "delivery",
)  # fmt: skip
INTEGRATION_MODELS = (
    "svc.webhook.endpoint", "svc.inbox.event", "svc.outbox.event", "svc.integration.source",
)  # fmt: skip


@tagged("post_install", "-at_install")
class AuthorityCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = cls.env["res.users"].search([("login", "in", [*DEMO_LOGINS, "account", "billing"])])
        cls.users = {user.login: user for user in users}
        missing = set(DEMO_LOGINS) - set(cls.users)
        if missing:
            raise unittest.SkipTest(f"demo users missing: {sorted(missing)} (install with demo data)")

    def user(self, login):
        return self.users[login]

    def _refused(self, call, *args, **kwargs):
        """Call expecting a refusal and keep what the refusal wrote (assertRaises would roll
        back to a savepoint and hide the `denied` log line)."""
        try:
            call(*args, **kwargs)
        except (AccessError, UserError) as error:  # the refusal under test
            return error
        self.fail(f"{call} was not refused")

    def _denied_lines(self, model, **domain):
        """Ids of the `denied` lines, in this transaction or committed apart by the refusal
        (`_record_autonomous`: this test's transaction cannot see those, a new cursor can)."""
        domain = [("event", "=", "denied"), ("res_model", "=", model)] + [
            (name, "=", value) for name, value in domain.items()
        ]
        ids = set(self.env["svc.approval.log"].search(domain).ids)
        with self.registry.cursor() as cr:
            ids |= set(api.Environment(cr, SUPERUSER_ID, {})["svc.approval.log"].search(domain).ids)
        return ids


class TestWhoDecides(AuthorityCase):
    def _delegations(self, delegator):
        return self.env["svc.approval.delegation"].search([("delegator_id", "=", delegator.id)])

    def test_nobody_appoints_themselves_delegate(self):
        approver = self.user("approver")
        before = self._delegations(approver)
        for login in ("requester", "buyer", "finance", "delivery", "warehouse"):
            with self.subTest(login=login):
                error = self._refused(
                    self.env["svc.approval.delegation"].with_user(self.user(login)).create,
                    {
                        "delegator_id": approver.id,
                        "delegate_id": self.user(login).id,
                        "date_to": "2999-12-31",
                    },
                )
                self.assertIsInstance(error, AccessError)
                self.assertIn("cannot appoint themselves", str(error))
        self.assertEqual(self._delegations(approver), before, "nothing created")
        self.assertTrue(self._denied_lines("svc.approval.delegation", on_behalf_of_id=approver.id))

    def test_the_delegator_delegates_and_the_delegate_is_told(self):
        approver, requester = self.user("approver"), self.user("requester")
        delegation = (
            self.env["svc.approval.delegation"]
            .with_user(approver)
            .create({"delegate_id": requester.id, "date_to": fields.Date.today() + timedelta(days=7)})
        )
        self.assertEqual(delegation.delegator_id, approver)
        log = self.env["svc.approval.log"].search(
            [
                ("event", "=", "delegated"),
                ("res_model", "=", delegation._name),
                ("res_id", "=", delegation.id),
            ]
        )
        self.assertEqual((log.user_id, log.on_behalf_of_id), (approver, approver))
        self.assertIn(f"set up by {approver.name}", log.comment)
        told = self.env["mail.message"].search(
            [("model", "=", delegation._name), ("res_id", "=", delegation.id),
             ("partner_ids", "in", requester.partner_id.ids)]
        )  # fmt: skip
        self.assertTrue(told, "the delegate is notified")
        self.assertEqual(told[:1].author_id, approver.partner_id, "the chatter says who set it up")
        # the delegate sees it but cannot stretch it, hand it on, or take it over
        as_delegate = delegation.with_user(requester)
        self.assertEqual(as_delegate.read(["delegator_id"])[0]["delegator_id"][0], approver.id)
        for vals in ({"date_to": "2999-12-31"}, {"delegate_id": self.user("buyer").id}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_delegate.write(vals)
        with self.assertRaises(AccessError):
            as_delegate.unlink()
        # nor can the delegator hand someone else's authority over by rewriting the delegator
        with self.assertRaisesRegex(AccessError, "cannot appoint themselves"):
            delegation.with_user(approver).write({"delegator_id": self.user("finance").id})
        self.assertEqual(
            (delegation.delegator_id, delegation.delegate_id), (approver, requester), "nothing changed"
        )

    def test_a_policy_manager_sets_up_a_delegation_for_someone_away(self):
        approver, finance = self.user("approver"), self.user("finance")
        delegation = (
            self.env["svc.approval.delegation"]
            .with_user(self.user("admin"))
            .create({"delegator_id": approver.id, "delegate_id": finance.id, "date_to": "2999-12-31"})
        )
        log = self.env["svc.approval.log"].search(
            [
                ("event", "=", "delegated"),
                ("res_id", "=", delegation.id),
                ("res_model", "=", delegation._name),
            ]
        )
        self.assertEqual(log.user_id, self.user("admin"))
        self.assertIn(self.user("admin").name, log.comment)

    def test_requested_by_is_the_caller(self):
        requester, approver = self.user("requester"), self.user("approver")
        Request = self.env["svc.material.request"]
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        with self.assertRaisesRegex(AccessError, "in someone else's name"):
            Request.with_user(requester).create(
                {"requested_by_id": approver.id, "warehouse_id": warehouse.id}
            )
        request = Request.with_user(requester).create({"warehouse_id": warehouse.id})
        self.assertEqual(request.requested_by_id, requester)
        with self.assertRaisesRegex(AccessError, "cannot be chosen or changed"):
            request.with_user(requester).write({"requested_by_id": approver.id})
        self.assertEqual(request.requested_by_id, requester, "nothing changed")
        request.with_user(requester).write({"requested_by_id": requester.id})  # a form save keeps it
        copy = request.with_user(requester).copy()
        self.assertEqual(copy.requested_by_id, requester)
        # a warehouse manager may enter a request for someone else
        request.with_user(self.user("warehouse")).write({"requested_by_id": approver.id})
        self.assertEqual(request.requested_by_id, approver)

    def test_staffing_and_overage_requesters_are_the_caller(self):
        delivery, resource = self.user("delivery"), self.user("resource")
        with self.assertRaisesRegex(AccessError, "in someone else's name"):
            self.env["svc.staffing.request"].with_user(delivery).create({"requested_by_id": resource.id})
        line = self.env["sale.order.line"].search([("svc_is_retainer", "=", True)], limit=1)
        account = self.users.get("account")
        if not line or not account:
            self.skipTest("no demo retainer")
        Overage = self.env["svc.retainer.overage"].with_user(account)
        values = {"sale_line_id": line.id, "hours": 5, "rate": 100, "reason": "More work"}
        with self.assertRaisesRegex(AccessError, "in someone else's name"):
            Overage.create(dict(values, requested_by_id=self.user("admin").id))
        overage = Overage.create(values)
        self.assertEqual(overage.requested_by_id, account)
        with self.assertRaises(AccessError):
            overage.write({"requested_by_id": self.user("admin").id})
        self.assertEqual(overage.requested_by_id, account)

    def test_who_decides_is_configured_by_policy_managers_only(self):
        for model in ("svc.approval.policy", "svc.approval.step"):
            for login in ("requester", "approver", "buyer", "finance", "delivery"):
                Model = self.env[model].with_user(self.user(login))
                with self.subTest(model=model, login=login):
                    self.assertFalse(Model.check_access_rights("write", raise_exception=False))
                    self.assertFalse(Model.check_access_rights("create", raise_exception=False))
            self.assertTrue(self.env[model].with_user(self.user("admin")).check_access_rights("write"))

    def test_the_emergency_releaser_never_reviews_their_release(self):
        billing = self.users.get("billing")
        readiness = self.env["svc.billing.readiness"].search(
            [("readiness_state", "=", "blocked"), ("approval_state", "in", ("pending", "not_required"))],
            limit=1,
        )
        if not billing or not readiness:
            self.skipTest("no demo blocked readiness")
        readiness.with_user(billing).action_emergency_release("Client needs the invoice today")
        review = readiness.approval_request_ids.filtered(
            lambda req: req.kind == "review" and req.state == "pending"
        )
        self.assertEqual(review.requester_id, billing)
        self.assertNotIn(billing, review.approver_ids, "the releaser is not a reviewer")
        with self.assertRaisesRegex(AccessError, "cannot appoint themselves"):
            self.env["svc.approval.delegation"].with_user(billing).create(
                {
                    "delegator_id": review.approver_ids[:1].id,
                    "delegate_id": billing.id,
                    "date_to": "2999-12-31",
                }
            )
        with self.assertRaises(UserError):
            readiness.with_user(billing).action_approve()
        self.assertEqual(review.state, "pending")

    def test_a_delegation_does_not_let_the_releaser_review(self):
        """A reviewer's delegation to the releaser does not let them review their own release:
        the engine refuses the requester on every step, review steps included."""
        billing = self.users.get("billing")
        readiness = self.env["svc.billing.readiness"].search(
            [("readiness_state", "=", "blocked"), ("approval_state", "in", ("pending", "not_required"))],
            limit=1,
        )
        if not billing or not readiness:
            raise AssertionError("no demo blocked readiness")
        readiness.with_user(billing).action_emergency_release("Client needs the invoice today")
        review = readiness.approval_request_ids.filtered(
            lambda req: req.kind == "review" and req.state == "pending"
        )
        self.env["svc.approval.delegation"].with_user(self.user("admin")).create(
            {"delegator_id": review.approver_ids[:1].id, "delegate_id": billing.id, "date_to": "2999-12-31"}
        )
        error = self._refused(readiness.with_user(billing).action_approve)
        self.assertIsInstance(error, UserError)
        self.assertEqual(review.state, "pending")


class TestPolicyInputs(AuthorityCase):
    def _high_risk_vendor(self):
        vendor = self.env["res.partner"].search(
            [("supplier_risk", "=", "high"), ("is_company", "=", True)], limit=1
        )
        if not vendor:
            vendor = self.env["res.partner"].create({"name": "Risky Vendor", "is_company": True})
            vendor.supplier_risk = "high"
        return vendor

    def test_supplier_risk_is_set_by_purchase_managers_only(self):
        vendor = self._high_risk_vendor()
        editors = [login for login in ("account", "billing", "warehouse") if login in self.users]
        for login in ("buyer", "requester", "finance", "delivery", *editors):
            with self.subTest(login=login), self.assertRaisesRegex(AccessError, "Only purchase managers"):
                vendor.with_user(self.user(login)).write({"supplier_risk": "low"})
        self.assertEqual(vendor.supplier_risk, "high", "nothing changed")
        vendor.with_user(self.user("procurement")).write({"supplier_risk": "medium"})
        self.assertEqual(vendor.supplier_risk, "medium")
        self.env.flush_all()
        self.env.cr.precommit.run()  # field tracking is written at commit
        tracked = self.env["mail.tracking.value"].search(
            [("mail_message_id.model", "=", "res.partner"), ("mail_message_id.res_id", "=", vendor.id),
             ("field_id.name", "=", "supplier_risk")],
            order="id desc",
        )  # fmt: skip
        self.assertTrue(tracked, "the change is tracked in the chatter")
        self.assertEqual(tracked[:1].mail_message_id.author_id, self.user("procurement").partner_id)
        if editors:  # the same risk is not a change: a form save goes through
            vendor.with_user(self.user(editors[0])).write({"supplier_risk": "medium", "comment": "same risk"})

    def test_the_order_cannot_pretend_a_lower_risk(self):
        vendor = self._high_risk_vendor()
        order = self.env["purchase.order"].with_user(self.user("buyer")).create({"partner_id": vendor.id})
        self.assertEqual(order.supplier_risk, "high")
        with self.assertRaisesRegex(UserError, "comes from its vendor"):
            order.write({"supplier_risk": "low"})
        self.assertEqual(order.supplier_risk, "high")
        vendor.with_user(self.user("procurement")).supplier_risk = "low"
        self.assertEqual(order.supplier_risk, "low", "an open order follows its vendor's risk")

    def test_a_risk_change_reroutes_the_orders_waiting_for_approval(self):
        order = self.env["purchase.order"].search(
            [
                ("state", "=", "to approve"),
                ("approval_state", "=", "pending"),
                ("supplier_risk", "=", "high"),
            ],
            limit=1,
        )
        if not order:
            self.skipTest("no demo order of a high-risk vendor waiting for approval")
        high_policy = order.approval_policy_id
        order.partner_id.commercial_partner_id.with_user(self.user("procurement")).supplier_risk = "low"
        self.assertEqual(order.approval_state, "pending")
        self.assertNotEqual(order.approval_policy_id, high_policy, "another policy governs it now")
        self.assertEqual(
            order.approval_request_ids.filtered(lambda req: req.policy_id == high_policy).mapped("state"),
            ["cancelled"] * len(high_policy.step_ids),
        )
        reset = self.env["svc.approval.log"].search(
            [("event", "=", "reset"), ("res_model", "=", "purchase.order"), ("res_id", "=", order.id)]
        )
        self.assertIn("supplier risk", reset.comment)
        order.partner_id.commercial_partner_id.with_user(self.user("procurement")).supplier_risk = "high"
        self.assertEqual(order.approval_policy_id, high_policy, "back under the high-risk policy")

    def test_readiness_scope_is_set_by_finance_only(self):
        readiness = self.env["svc.billing.readiness"].search([("readiness_state", "!=", "released")], limit=1)
        if not readiness:
            self.skipTest("no demo readiness")
        end = readiness.period_end
        for login in ("delivery", "account"):
            if login not in self.users:
                continue
            with self.subTest(login=login), self.assertRaisesRegex(AccessError, "Only finance"):
                readiness.with_user(self.user(login)).write({"period_end": end - timedelta(days=1)})
        self.assertEqual(readiness.period_end, end, "nothing changed")
        readiness.with_user(self.user("finance")).write({"period_end": end - timedelta(days=1)})
        self.assertEqual(readiness.period_end, end - timedelta(days=1))
        self.assertTrue(readiness.last_checked_at, "the change ran the checks again")


class TestIntegrationPrivacy(AuthorityCase):
    def test_integration_data_is_for_integration_managers(self):
        for login in DEMO_LOGINS:
            user = self.user(login)
            may = user.has_group("svc_ops_base.group_ops_manager")
            for model in INTEGRATION_MODELS:
                with self.subTest(login=login, model=model):
                    Model = self.env[model].with_user(user)
                    self.assertEqual(Model.check_access_rights("read", raise_exception=False), may)
                    if not may:
                        with self.assertRaises(AccessError):
                            Model.search_read([], ["id"], limit=1)
        self.assertTrue(self.user("admin").has_group("svc_ops_base.group_ops_manager"))


class TestPublicSurface(AuthorityCase):
    def test_compliance_is_computed_by_timesheet_approvers_only(self):
        Compliance = self.env["svc.timesheet.compliance"]
        monday = fields.Date.today() - timedelta(days=fields.Date.today().weekday() + 7)
        before = Compliance.sudo().search_count([])
        for login in ("requester", "buyer", "account"):
            user = self.users.get(login)
            if not user:
                continue
            with self.subTest(login=login), self.assertRaisesRegex(AccessError, "Only timesheet approvers"):
                Compliance.with_user(user).action_compute(str(monday), str(monday))
        self.assertEqual(Compliance.sudo().search_count([]), before, "no row written")
        self.assertIsInstance(Compliance.with_user(self.user("delivery")).action_compute(
            str(monday), str(monday), notify=False), int)  # fmt: skip

    def test_the_wizard_takes_ids_as_ids(self):
        self.assertEqual(parse_ids("[12, 13]"), [12, 13])
        self.assertEqual(parse_ids("12,13"), [12, 13])
        for text in (
            "__import__('os').getpid()",
            "[1, 'a']",
            "[True]",
            "[-1]",
            "[]",
            "",
            "{}",
            "1;2",
            "[1.5]",
        ):
            with self.subTest(text=text), self.assertRaisesRegex(ValidationError, "list of record ids"):
                parse_ids(text)
        with self.assertRaises(ValidationError):
            self.env["svc.approval.decision.wizard"].with_user(self.user("approver")).create(
                {"res_model": "svc.material.request", "res_ids": "[r for r in range(3)]"}
            )

    def test_unsigned_refusals_only_reach_the_rate_limited_log(self):
        source = self.env["svc.integration.source"].create({"name": "Probe", "code": "probe-authority"})
        log = svc_integration_source._RefusalLog(window=3600)
        self.patch(svc_integration_source, "refusal_log", log)
        with self.assertLogs(svc_integration_source.__name__, "WARNING") as logged:
            for _i in range(50):
                source._count_refusal(source.id, "401 unauthorized")
        self.assertEqual(len(logged.output), 1, "one line per source per window")
        self.assertEqual(log.by_source[source.id][1], 49)
        source.invalidate_recordset()
        self.assertEqual((source.failure_count, source.last_failure_at), (0, False), "nothing stored")
        source._count_refusal(source.id, "422 type_not_allowed", signed=True)
        source.invalidate_recordset()
        self.assertEqual(source.failure_count, 1, "a signed refusal is counted")


@tagged("post_install", "-at_install")
class TestOverXmlRpc(HttpCase):
    """The same refusals as an RPC client gets them: a fault with the sentence, no traceback
    of an internal error, and nothing changed."""

    def setUp(self):
        super().setUp()
        self.models = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/object", allow_none=True)
        self.db = self.env.cr.dbname
        self.users = {
            user.login: user for user in self.env["res.users"].search([("login", "in", DEMO_LOGINS)])
        }
        if set(DEMO_LOGINS) - set(self.users):
            self.skipTest("demo users missing (install with demo data)")

    def _call(self, login, model, method, *args, **kwargs):
        self.env.flush_all()
        try:
            return self.models.execute_kw(
                self.db, self.users[login].id, login, model, method, list(args), kwargs
            )
        finally:
            self.env.invalidate_all()

    def _fault(self, login, model, method, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as refused:
            self._call(login, model, method, *args, **kwargs)
        self.assertNotIn("Traceback", refused.exception.faultString.split("\n")[0])
        return refused.exception.faultString

    def test_refusals_over_rpc(self):
        approver, requester = self.users["approver"], self.users["requester"]
        fault = self._fault(
            "requester", "svc.approval.delegation", "create",
            {"delegator_id": approver.id, "delegate_id": requester.id, "date_to": "2999-12-31"},
        )  # fmt: skip
        self.assertIn("cannot appoint themselves", fault)
        self.assertFalse(
            self.env["svc.approval.delegation"].search(
                [("delegator_id", "=", approver.id), ("delegate_id", "=", requester.id)]
            )
        )
        for model in INTEGRATION_MODELS:
            with self.subTest(model=model):
                self.assertIn("not allowed to access", self._fault("buyer", model, "search_read", [], ["id"]))
        wizard = self._fault(
            "approver", "svc.approval.decision.wizard", "create",
            {"res_model": "svc.material.request", "res_ids": "__import__('os').getpid()"},
        )  # fmt: skip
        self.assertIn("list of record ids", wizard)
