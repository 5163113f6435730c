"""No way around the controls: a governed document reaches its approved state only through
the approval engine.

Written as an attacker with each demo user's login would try it, on the demo database: a
plain `write` of the state, a `create` or `copy` with it, every public `action_*` /
`button_*` method of the model, the `unlink` of a pending step. After each attempt the
invariant is checked: no document sits in a state past its approval while its approval is
required and not granted. Each refusal must be a UserError (AccessError and ValidationError
are UserErrors), never a KeyError, a TypeError or a database error.
"""

import inspect
import logging
import xmlrpc.client
from functools import partial

from odoo.exceptions import UserError
from odoo.tests import HttpCase, TransactionCase, tagged

_logger = logging.getLogger(__name__)

DEMO_LOGINS = [
    "admin", "requester", "approver", "warehouse", "procurement", "buyer", "finance", "resource", "delivery",
    "salesperson", "salesmanager", "credit",
]  # fmt: skip
GRANTED = ("approved", "emergency")
# Odoo's own generic methods that expect the web client's context (portal's share wizard), and
# Odoo's own sales order view actions that open the deliveries, projects or milestones and assume
# they exist (sale_stock, sale_project): they change no state, a confirmed order has them.
ODOO_GENERIC = {
    "action_share",
    "action_view_delivery",
    "action_create_project",
    "action_view_milestone",
    "action_view_project_ids",
}


class _Rollback(Exception):
    """Undo a successful attempt, so the next one starts from the same document."""


def _governed_models(env):
    """{model: (state field, values past approval)} of every model under the approval gate."""
    return {
        name: (env[name]._svc_approval_state_field, env[name]._svc_approval_gated_states)
        for name in env.registry
        if not env[name]._abstract and getattr(env[name], "_svc_approval_state_field", None)
    }


@tagged("post_install", "-at_install")
class TestApprovalGate(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {login: cls.env["res.users"].search([("login", "=", login)]) for login in DEMO_LOGINS}
        missing = [login for login, user in cls.users.items() if not user]
        assert not missing, f"demo users missing: {missing}"
        cls.governed = _governed_models(cls.env)
        cls._staffing_request_waiting_for_approval()

    @classmethod
    def _staffing_request_waiting_for_approval(cls):
        """The demo governs no staffing request: a policy with one step and a draft request
        submitted under it give the matrix one to attack."""
        env = cls.env
        env["svc.approval.policy"].create(
            {"name": "Staffing requests (security test)",
             "model_id": env["ir.model"]._get("svc.staffing.request").id,
             "step_ids": [(0, 0, {"name": "Resource operations", "approver_type": "user",
                                  "user_ids": [(6, 0, cls.users["resource"].ids)]})]}
        )  # fmt: skip
        draft = env["svc.staffing.request"].search([("state", "=", "open")], limit=1).copy()
        if not draft.line_ids:
            raise AssertionError("the demo staffing request has no roles to copy")
        draft.with_user(cls.users["delivery"]).action_submit()
        assert draft.approval_state == "pending", draft.approval_state

    def _pending(self, model):
        field, gated = self.governed[model]
        return self.env[model].search(
            [("approval_state", "=", "pending"), (field, "not in", list(gated))], limit=1
        )

    def _refusal(self, call):
        """The error of a refused call; the call's own writes are rolled back as the RPC
        transaction would be, the `denied` audit line stays (it is written apart)."""
        with self.assertRaises(UserError) as refused, self.env.cr.savepoint():
            call()
            self.env.flush_all()
        self.env.invalidate_all()
        return str(refused.exception)

    def _denied(self, document):
        """{log id: user id} of the `denied` lines of `document`, read in a transaction of its
        own: they were committed apart from this test's transaction, which cannot see them."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT id, user_id FROM svc_approval_log WHERE res_model = %s AND res_id = %s AND event = 'denied'",
                [document._name, document.id],
            )
            return dict(cr.fetchall())

    # --------------------------------------------------- the three bypasses
    def test_buyer_cannot_confirm_a_purchase_order_waiting_for_approval_by_write(self):
        order = self._pending("purchase.order")
        self.assertEqual(order.state, "to approve", "the demo has a purchase order waiting for approval")
        buyer = self.users["buyer"]
        earlier = self._denied(order)
        for state in ("purchase", "done"):
            message = self._refusal(lambda state=state: order.with_user(buyer).write({"state": state}))
            self.assertIn(f"{order.display_name} waits for approval by", message)
            self.assertIn("emergency release", message)
            order.invalidate_recordset()
            self.assertEqual((order.state, order.approval_state), ("to approve", "pending"))
        denied = {key: user for key, user in self._denied(order).items() if key not in earlier}
        self.assertEqual(list(denied.values()), [buyer.id, buyer.id])

    def test_salesperson_cannot_confirm_a_sales_order_waiting_for_approval(self):
        order = self._pending("sale.order")
        self.assertEqual(order.state, "to_approve", "the demo has a sales order waiting for approval")
        salesperson = self.users["salesperson"]
        earlier = self._denied(order)
        message = self._refusal(lambda: order.with_user(salesperson).write({"state": "sale"}))
        self.assertIn(f"{order.display_name} waits for approval by", message)
        for context in ({}, {"svc_approval_no_reset": True}):
            self._refusal(
                lambda context=context: order.with_user(salesperson).with_context(**context).action_confirm()
            )
        order.invalidate_recordset()
        self.assertEqual((order.state, order.approval_state), ("to_approve", "pending"))
        denied = {key: user for key, user in self._denied(order).items() if key not in earlier}
        self.assertEqual(list(denied.values()), [salesperson.id])

    def test_requester_cannot_approve_their_own_material_request_by_write(self):
        request = self._pending("svc.material.request")
        self.assertEqual(request.state, "to_approve")
        requester = request.requested_by_id
        earlier = self._denied(request)
        for state in ("approved", "in_progress", "done"):
            message = self._refusal(lambda state=state: request.with_user(requester).write({"state": state}))
            self.assertIn(f"{request.display_name} waits for approval by", message)
            request.invalidate_recordset()
            self.assertEqual((request.state, request.approval_state), ("to_approve", "pending"))
        self.assertEqual(len(self._denied(request).keys() - earlier.keys()), 3)

    def test_resource_manager_cannot_confirm_an_over_allocation_by_write(self):
        allocation = self._pending("svc.resource.allocation")
        self.assertEqual(allocation.state, "tentative")
        resource = self.users["resource"]
        earlier = self._denied(allocation)
        message = self._refusal(lambda: allocation.with_user(resource).write({"state": "confirmed"}))
        self.assertIn("waits for approval by", message)
        allocation.invalidate_recordset()
        self.assertEqual((allocation.state, allocation.approval_state), ("tentative", "pending"))
        denied = {key: user for key, user in self._denied(allocation).items() if key not in earlier}
        self.assertEqual(list(denied.values()), [resource.id])

    def test_the_superuser_is_refused_too_and_the_engine_still_confirms(self):
        order = self._pending("purchase.order")
        self._refusal(lambda: order.sudo().write({"state": "purchase"}))
        approvers = order.approval_request_ids.filtered(lambda req: req.state == "pending").approver_ids
        order.with_user(approvers[0]).action_approve()
        while order.approval_state == "pending":  # a policy of two steps
            step = order.approval_request_ids.filtered(lambda req: req.state == "pending")
            order.with_user(step.approver_ids[0]).action_approve()
        self.assertEqual((order.state, order.approval_state), ("purchase", "approved"))

    def test_a_policy_governs_an_order_that_never_asked(self):
        """A purchase order created or written straight to 'purchase' never asked its policy:
        refused when a policy governs it, allowed when none does."""
        pending = self._pending("purchase.order")
        values = pending.copy_data()[0]
        message = self._refusal(
            lambda: (
                self.env["purchase.order"]
                .with_user(self.users["procurement"])
                .create(dict(values, state="purchase"))
            )
        )
        self.assertIn("needs approval under its policy", message)
        draft = self.env["purchase.order"].with_user(self.users["procurement"]).create(values)
        self._refusal(lambda: draft.write({"state": "purchase"}))
        self.env["svc.approval.policy"].search([("model_name", "=", "purchase.order")]).active = False
        draft.write({"state": "purchase"})
        self.assertEqual(draft.state, "purchase")

    # ---------------------------------------------------------- the matrix
    def test_no_demo_user_reaches_a_state_past_approval_without_the_engine(self):
        """Every governed model x state past approval x write / create / copy, and every
        public action of the model, as each demo user."""
        attempts, failures = 0, []
        for model in self.governed:
            document = self._pending(model)
            self.assertTrue(document, f"no pending {model} to attack")
            values = document.sudo().copy_data()[0]
            methods = self._public_methods(document)
            last_id = self.env[model].sudo().search([], order="id desc", limit=1).id
            for login, user in self.users.items():
                for label, call in self._attacks(document.with_user(user), values, methods):
                    attempts += 1
                    problem = self._attempt(document, last_id, call)
                    if problem:
                        failures.append(f"{login}: {model} {label}: {problem}")
        _logger.info("approval gate: %d attempts on %d governed models", attempts, len(self.governed))
        print(f"approval gate: {attempts} attempts on {len(self.governed)} governed models")
        self.assertFalse(failures, "\n".join(failures))
        self.assertGreater(attempts, 500)

    def test_no_user_unlinks_a_pending_step(self):
        steps = self.env["svc.approval.request"].search([("state", "=", "pending")])
        self.assertTrue(steps)
        for login, user in self.users.items():
            for step in steps:
                problem = self._attempt_raw(lambda step=step, user=user: step.with_user(user).unlink())
                if problem is None:
                    self.fail(f"{login} unlinked the pending step {step.display_name}")
                self.assertIsInstance(problem, UserError, f"{login}: {problem!r}")

    # ------------------------------------------------------------- helpers
    def _attacks(self, document, values, methods):
        """[(label, call)]: each way `document`'s user could try to put it past approval."""
        field, gated = self.governed[document._name]
        model = document.browse()
        attacks = []
        for state in gated:
            attacks += [
                (f"write {field}={state}", partial(document.write, {field: state})),
                (f"create {field}={state}", partial(model.create, dict(values, **{field: state}))),
                (f"copy {field}={state}", partial(document.copy, {field: state})),
            ]
        return attacks + [(f"{name}()", getattr(document, name)) for name in methods]

    def _public_methods(self, document):
        """Public action_/button_ methods callable with no argument (RPC fuzz covers the rest)."""
        names = []
        for name in dir(type(document)):
            if not name.startswith(("action_", "button_")) or name in ODOO_GENERIC:
                continue
            if name in ("action_archive", "action_unarchive") and not document._active_name:
                continue
            method = getattr(type(document), name, None)
            if not callable(method):
                continue
            parameters = list(inspect.signature(method).parameters.values())[1:]
            if any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                   for p in parameters):  # fmt: skip
                continue
            names.append(name)
        return names

    def _attempt_raw(self, call):
        """Run `call` in a savepoint that is always rolled back: None when it went through,
        else the exception."""
        try:
            with self.env.cr.savepoint():
                call()
                self.env.flush_all()
                raise _Rollback()
        except _Rollback:
            return None
        except Exception as error:  # the kind of error is what is checked
            return error
        finally:
            self.env.invalidate_all()

    def _attempt(self, document, last_id, call):
        """Run one attack on `document`; a problem string when it, or a record the attack
        created, reached a state past approval without it, or when the call failed badly."""
        field, gated = self.governed[document._name]
        problem = None
        try:
            with self.env.cr.savepoint():
                call()
                self.env.flush_all()
                created = self.env[document._name].sudo().search([("id", ">", last_id)])
                reached = (document.sudo() | created).filtered(
                    lambda doc: doc[field] in gated and doc.approval_state not in GRANTED
                )
                bypassed = reached._svc_approval_blocked()
                if bypassed:
                    problem = f"reached {bypassed.mapped(field)} without approval ({bypassed.mapped('display_name')})"
                raise _Rollback()
        except (_Rollback, UserError):
            pass
        except Exception as error:  # the kind of error is what is checked
            problem = f"{type(error).__name__}: {error}"
        finally:
            self.env.invalidate_all()
        return problem


@tagged("post_install", "-at_install")
class TestApprovalGateOverRpc(HttpCase):
    """The three bypasses of the issue, as the demo users' clients sent them."""

    def _call(self, login, model, method, *args):
        base = self.base_url()
        common = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/common")
        models = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/object", allow_none=True)
        db = self.env.cr.dbname
        uid = common.authenticate(db, login, login if login != "admin" else "admin", {})
        return models.execute_kw(db, uid, login, model, method, list(args))

    def test_the_three_writes_are_refused_over_xmlrpc(self):
        order = self.env["purchase.order"].search([("approval_state", "=", "pending")], limit=1)
        request = self.env["svc.material.request"].search([("approval_state", "=", "pending")], limit=1)
        allocation = self.env["svc.resource.allocation"].search([("approval_state", "=", "pending")], limit=1)
        for login, document, state in (
            ("buyer", order, "purchase"),
            ("buyer", order, "done"),
            (request.requested_by_id.login, request, "approved"),
            (request.requested_by_id.login, request, "done"),
            ("resource", allocation, "confirmed"),
        ):
            with self.assertRaisesRegex(xmlrpc.client.Fault, "waits for approval by"):
                self._call(login, document._name, "write", [document.id], {"state": state})
        self.env.invalidate_all()
        self.assertEqual(order.state, "to approve")
        self.assertEqual(request.state, "to_approve")
        self.assertEqual(allocation.state, "tentative")
