"""Company isolation: a user of company B cannot read, decide or be asked to decide company A's work.

Company A is the demo company, with its own material request under approval, purchase
order, exception, inbound and outbound integration events, approval steps and audit log.
Company B gets two internal users who have only company B: one in every user group of the
suite, one in every manager group (managers' own rules say "see all", which the company
rules must still narrow). Each of them tries every way a client reaches a record: search,
read, name_search, read_group, search_read, web_search_read, export_data, display_name,
a switch to company A (with_company), a search through a relation, a name shown through
a related record, and every decision path. Each refusal must be an AccessError, UserError
or ValidationError: a KeyError, a TypeError or a database error is a failure.
"""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

REFUSALS = (AccessError, UserError, ValidationError)
USER_GROUPS = ",".join(
    [
        "base.group_user",
        "svc_ops_base.group_ops_user",
        "svc_approval_matrix.group_approval_user",
        "svc_warehouse_kits.group_kits_user",
        "svc_procurement_orchestration.group_procurement_user",
        "svc_resource_planning.group_resource_user",
    ]
)
MANAGER_GROUPS = ",".join(
    [
        "base.group_user",
        "svc_ops_base.group_ops_manager",
        "svc_approval_matrix.group_approval_manager",
        "svc_approval_matrix.group_approval_emergency",
        "svc_warehouse_kits.group_kits_manager",
        "svc_procurement_orchestration.group_procurement_manager",
        "svc_resource_planning.group_resource_manager",
    ]
)


@tagged("post_install", "-at_install")
class TestCompanyIsolation(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_notrack=True))
        cls.company_a = env.company
        cls.company_b = env["res.company"].create({"name": "Company B (isolation test)"})
        only_b = {"company_id": cls.company_b.id, "company_ids": [(6, 0, cls.company_b.ids)]}
        cls.user_b = new_test_user(env, "iso_user_b", groups=USER_GROUPS, **only_b)
        cls.manager_b = new_test_user(env, "iso_manager_b", groups=MANAGER_GROUPS, **only_b)
        cls.outsiders = cls.user_b | cls.manager_b
        only_a = {"company_id": cls.company_a.id, "company_ids": [(6, 0, cls.company_a.ids)]}
        cls.requester_a = new_test_user(env, "iso_requester_a", groups=USER_GROUPS, **only_a)
        cls.approver_a = new_test_user(env, "iso_approver_a", groups=USER_GROUPS, **only_a)
        cls.user_ab = new_test_user(
            env, "iso_user_ab", groups=USER_GROUPS, company_id=cls.company_b.id,
            company_ids=[(6, 0, (cls.company_a | cls.company_b).ids)],
        )  # fmt: skip
        cls.emergency_a = new_test_user(
            env,
            "iso_emergency_a",
            groups=f"{USER_GROUPS},svc_approval_matrix.group_approval_emergency",
            **only_a,
        )

        # Company A's approval policy asks a group every user of every company is in.
        model = env["ir.model"]._get("svc.material.request")
        env["svc.approval.policy"].search([("model_id", "=", model.id)]).active = False
        cls.policy = env["svc.approval.policy"].create(
            {
                "name": "Isolation: every approver",
                "model_id": model.id,
                "sequence": -100,
                "company_id": cls.company_a.id,
                "step_ids": [
                    (0, 0, {"name": "Anyone", "approver_type": "group", "sla_hours": 1,
                            "group_id": env.ref("svc_approval_matrix.group_approval_user").id,
                            "escalation_group_id": env.ref("svc_approval_matrix.group_approval_manager").id}),
                ],
            }
        )  # fmt: skip
        cls.product = env["product.product"].create(
            {"name": "Isolation cable", "detailed_type": "consu", "standard_price": 40}
        )
        cls.project_a = env["project.project"].create(
            {"name": "Isolation project A", "company_id": cls.company_a.id}
        )
        cls.mr = (
            env["svc.material.request"]
            .with_user(cls.requester_a)
            .create(
                {
                    "project_id": cls.project_a.id,
                    "needed_date": fields.Date.today() + timedelta(days=7),
                    "line_ids": [(0, 0, {"product_id": cls.product.id, "quantity": 2})],
                }
            )
        )
        cls.mr.action_submit()
        cls.mr = cls.mr.with_user(env.user)
        cls.request = cls.mr.approval_request_ids
        cls.log = env["svc.approval.log"].search(
            [("res_model", "=", cls.mr._name), ("res_id", "=", cls.mr.id)]
        )

        vendor = env["res.partner"].create({"name": "Isolation vendor", "company_id": cls.company_a.id})
        cls.po = env["purchase.order"].create(
            {
                "partner_id": vendor.id,
                "company_id": cls.company_a.id,
                "order_line": [(0, 0, {"product_id": cls.product.id, "product_qty": 1, "price_unit": 40})],
            }
        )
        cls.exception = env["svc.exception"].create(
            {"name": "Isolation: company A problem", "company_id": cls.company_a.id,
             "owner_id": cls.requester_a.id, "res_model": cls.mr._name, "res_id": cls.mr.id}
        )  # fmt: skip
        ping = env.ref("svc_ops_base.event_type_svc_ping")
        source = env["svc.integration.source"].create(
            {"name": "Isolation source", "code": "isolation-a", "company_id": cls.company_a.id,
             "allowed_event_type_ids": [(6, 0, ping.ids)]}
        )  # fmt: skip
        cls.inbox = env["svc.inbox.event"].create(
            {"source_id": source.id, "company_id": cls.company_a.id, "event_id": "iso-1",
             "event_type": "svc.ping", "payload": {"id": "iso-1", "type": "svc.ping", "data": {}}}
        )  # fmt: skip
        endpoint = env["svc.webhook.endpoint"].create(
            {"name": "Isolation hook", "url": "https://93.184.215.14/hook", "company_id": cls.company_a.id,
             "event_type_ids": [(6, 0, ping.ids)]}
        )  # fmt: skip
        cls.outbox = env["svc.outbox.event"].create(
            {"event_uuid": "iso-out-1", "event_type": "svc.ping", "endpoint_id": endpoint.id,
             "company_id": cls.company_a.id, "res_model": cls.mr._name, "res_id": cls.mr.id,
             "record_name": cls.mr.name}
        )  # fmt: skip
        cls.replenishment_run = env["svc.replenishment.run"].create({"company_id": cls.company_a.id})
        cls.documents = [
            cls.mr,
            cls.mr.line_ids,
            cls.po,
            cls.po.order_line,
            cls.exception,
            cls.inbox,
            cls.outbox,
            cls.request,
            cls.log,
            cls.replenishment_run,
        ]

    def setUp(self):
        super().setUp()
        self.attempts = 0
        self.problems = []

    def tearDown(self):
        print(f"{self._testMethodName}: {self.attempts} attempts, {len(self.problems)} holes")
        super().tearDown()

    def _verdict(self):
        """Every hole found, not only the first: one failure lists them all."""
        self.assertFalse(self.problems, "\n".join(self.problems))

    # ---------------------------------------------------------------- helpers
    def _refused(self, label, call):
        """`call` must be refused with an error a user understands."""
        self.attempts += 1
        try:
            with self.env.cr.savepoint():
                call()
        except REFUSALS:
            return
        except Exception as error:  # the point of the test: any other error is a failure
            self.problems.append(
                f"{label}: refused with {type(error).__name__} ({error}), not an Access/User error"
            )
            return
        self.problems.append(f"{label}: was allowed")

    def _refused_or_anonymous(self, label, record):
        """The name of a hidden record: refused, or Odoo's "model,id" for a model without a
        name field (it reads nothing)."""
        self.attempts += 1
        try:
            with self.env.cr.savepoint():
                name = record.display_name
        except REFUSALS:
            return
        except Exception as error:  # the point of the test: any other error is a failure
            self.problems.append(f"{label}: {type(error).__name__} ({error}), not an Access/User error")
            return
        if name != f"{record._name},{record.id}":
            self.problems.append(f"{label}: shows {name!r}")

    def _hidden(self, label, found, record):
        """`found` (ids, records, or a call returning them) must not contain `record`;
        a call refused with an Access/User error hides it too."""
        self.attempts += 1
        if callable(found):
            try:
                with self.env.cr.savepoint():
                    found = found()
            except REFUSALS:
                return
            except Exception as error:  # the point of the test: any other error is a failure
                self.problems.append(f"{label}: {type(error).__name__} ({error}), not an Access/User error")
                return
        ids = found.ids if hasattr(found, "ids") else list(found)
        if record.id in ids:
            self.problems.append(f"{label} shows company A's {record._name} {record.id}")

    def _check(self, label, ok):
        self.attempts += 1
        if not ok:
            self.problems.append(label)

    # ------------------------------------------------------------------ tests
    def test_setup_is_what_it_claims(self):
        """Company A's documents exist and are company A's (else the other tests prove nothing)."""
        self.assertEqual(self.mr.approval_state, "pending")
        for record in self.documents:
            self.attempts += 1
            self.assertEqual(len(record), 1, record._name)
            self.assertEqual(record.company_id, self.company_a, record._name)
        self.assertEqual(self.outsiders.company_ids, self.company_b)

    def test_outsiders_cannot_see_company_a_records(self):
        for user in self.outsiders:
            for record in self.documents:
                self._check_invisible(user, record)
        self._verdict()

    def _check_invisible(self, user, record):
        Model = self.env[record._name].with_user(user)
        label = f"{user.login} on {record._name}"
        name = record.sudo().display_name or ""
        searches = {
            "search": lambda: Model.search([("id", "=", record.id)]),
            "search company A": lambda: Model.search([("company_id", "=", self.company_a.id)]),
            "search through company name": lambda: Model.search([("company_id.name", "=", self.company_a.name)]),
            "search_count": lambda: [record.id] if Model.search_count([("id", "=", record.id)]) else [],
            "search_read": lambda: [row["id"] for row in Model.search_read([("id", "=", record.id)], ["id"])],
            "web_search_read": lambda: [
                row["id"] for row in Model.web_search_read([("id", "=", record.id)], {"display_name": {}})["records"]
            ],
            "name_search": lambda: [row[0] for row in Model.name_search(name, limit=None)],
            "name_search ''": lambda: [row[0] for row in Model.name_search("", limit=None)],
            "read_group by company": lambda: [record.id] if self.company_a.id in [
                group["company_id"][0] for group in Model.read_group([], ["company_id"], ["company_id"])
                if group["company_id"]
            ] else [],
            "read_group by id": lambda: [record.id] if sum(
                group.get("__count", 0) for group in Model.read_group([("id", "=", record.id)], ["company_id"], [])
            ) else [],
        }  # fmt: skip
        for what, call in searches.items():
            self._hidden(f"{label} {what}", call, record)
        self._refused(f"{label} read", lambda: Model.browse(record.id).read(["display_name"]))
        self._refused(f"{label} read company", lambda: Model.browse(record.id).read(["company_id"]))
        self._refused(f"{label} export_data", lambda: Model.browse(record.id).export_data(["display_name"]))
        self._refused(f"{label} web_read", lambda: Model.browse(record.id).web_read({"display_name": {}}))
        self._refused_or_anonymous(f"{label} display_name", Model.browse(record.id))
        self._refused(f"{label} with_company(A)", lambda: Model.with_company(self.company_a).search([]))
        self._refused(
            f"{label} allowed_company_ids A",
            lambda: Model.with_context(allowed_company_ids=self.company_a.ids).search_read([], ["id"]),
        )

    def test_outsiders_cannot_decide_company_a_documents(self):
        for user in self.outsiders:
            mr, request = self.mr.with_user(user), self.request.with_user(user)
            self._refused(f"{user.login} approves the request", lambda mr=mr: mr.action_approve())
            self._refused(f"{user.login} rejects the request", lambda mr=mr: mr.action_reject("No"))
            self._refused(
                f"{user.login} releases the request", lambda mr=mr: mr.action_emergency_release("Now")
            )
            self._refused(f"{user.login} approves the step", lambda req=request: req.action_approve())
            self._refused(f"{user.login} rejects the step", lambda req=request: req.action_reject("No"))
            self._refused(f"{user.login} submits again", lambda mr=mr: mr.action_submit())
            self._refused(f"{user.login} cancels", lambda mr=mr: mr.action_cancel())
            self._refused(
                f"{user.login} confirms the PO", lambda u=user: self.po.with_user(u).button_confirm()
            )
            self._refused(
                f"{user.login} approves the PO", lambda u=user: self.po.with_user(u).action_approve()
            )
            for decision in ("approve", "reject", "emergency"):
                self._refused(
                    f"{user.login} {decision}s through the wizard",
                    lambda u=user, d=decision: self._wizard(u, str(self.mr.ids), d).action_confirm(),
                )
            for res_ids in ("__import__('os').getcwd()", "[1, 'x']", "{}", "", "[True]", "[-1]", "9" * 400):
                self._refused(
                    f"{user.login} sends res_ids {res_ids[:20]!r}",
                    lambda u=user, r=res_ids: self._wizard(u, r, "approve").action_confirm(),
                )
            self._refused(
                f"{user.login} wizard on a model without approval",
                lambda u=user: self._wizard(u, "[1]", "approve", res_model="res.partner").action_confirm(),
            )
            self._hidden(
                f"{user.login} can_approve",
                lambda u=user: (
                    self.env["svc.material.request"].with_user(u).search([("can_approve", "=", True)])
                ),
                self.mr,
            )
            self._hidden(
                f"{user.login} can_decide",
                lambda u=user: (
                    self.env["svc.approval.request"].with_user(u).search([("can_decide", "=", True)])
                ),
                self.request,
            )
        self.env.invalidate_all()
        self._verdict()
        self.assertEqual(self.mr.approval_state, "pending")
        self.assertEqual(self.request.state, "pending")
        self.assertFalse(self.request.approved_by_ids)

    def _wizard(self, user, res_ids, decision, res_model="svc.material.request"):
        return (
            self.env["svc.approval.decision.wizard"]
            .with_user(user)
            .create({"res_model": res_model, "res_ids": res_ids, "decision": decision, "comment": "Try"})
        )

    def test_outsiders_are_never_chosen_as_approvers(self):
        """Approver groups span companies; the engine must still ask only company A's users,
        and give company A's exceptions only to owners of company A."""
        self.assertIn(self.approver_a, self.request.approver_ids)
        self.assertIn(self.user_ab, self.request.approver_ids, "a user of both companies may approve")
        self._check(
            "a user of B is asked to approve A's request", not self.request.approver_ids & self.outsiders
        )
        step = self.policy.step_ids
        Step = self.env["svc.approval.step"].with_user(self.env.ref("base.user_admin"))
        for user in self.outsiders:
            self._refused(
                f"{user.login} as a named approver",
                lambda u=user: Step.create(
                    {"policy_id": self.policy.id, "name": "Named", "user_ids": [(6, 0, u.ids)]}
                ),
            )
            self._refused(
                f"{user.login} as an escalation user",
                lambda u=user: step.write({"escalation_user_ids": [(6, 0, u.ids)]}),
            )
            self._refused(
                f"{user.login} as a delegate of company A",
                lambda u=user: self.env["svc.approval.delegation"]
                .with_user(self.approver_a)
                .create({"delegate_id": u.id, "date_to": fields.Date.today() + timedelta(days=3),
                         "company_id": self.company_a.id}),
            )  # fmt: skip
            self._refused(
                f"{user.login} writes themselves in as approver",
                lambda u=user: self.request.with_user(u).write({"approver_ids": [(4, u.id)]}),
            )
            self._refused(
                f"{user.login} made owner of company A's exception",
                lambda u=user: self.exception.write({"owner_id": u.id}),
            )
            raised = self.env["svc.exception"].raise_for(
                self.mr, f"isolation_{user.id}", "general", "Isolation: raised with an outsider", owner=user
            )
            self._check(f"raise_for makes {user.login} owner of company A's exception", not raised.owner_id)
        # a step added to approver_ids by the engine itself still drops them
        self.request.sudo().write({"approver_ids": [(4, self.user_b.id)]})
        self._check("the engine adds a user of B to A's step", self.user_b not in self.request.approver_ids)

        # escalation: the escalation group has manager_b, who must not be added nor told
        self.request.sudo().write({"due_at": fields.Datetime.now() - timedelta(hours=2)})
        self.env["svc.approval.request"]._cron_escalate_overdue()
        self.assertEqual(self.request.state, "escalated")
        self._check("escalated to a user of company B", not self.request.approver_ids & self.outsiders)
        activities = self.env["mail.activity"].search([("user_id", "in", self.outsiders.ids)])
        self._check(f"escalation told a user of company B: {activities.mapped('res_name')}", not activities)

        # emergency release: the post-event review goes to policy managers of company A only
        self.mr.with_user(self.emergency_a).action_emergency_release("Site down")
        review = self.mr.approval_request_ids.filtered(lambda req: req.kind == "review")
        self.assertTrue(review)
        self._check("the review is asked of a user of company B", not review.approver_ids & self.outsiders)
        activities = self.env["mail.activity"].search([("user_id", "in", self.outsiders.ids)])
        self._check(
            f"the emergency release told a user of company B: {activities.mapped('res_name')}", not activities
        )
        self._verdict()

    def test_relations_and_related_names_do_not_leak(self):
        for user in self.outsiders:
            env = self.env(user=user.id)
            self._hidden(
                f"{user.login} lines by request",
                lambda e=env: e["svc.material.request.line"].search([("request_id", "=", self.mr.id)]),
                self.mr.line_ids,
            )
            self._hidden(
                f"{user.login} requests by project",
                lambda e=env: e["svc.material.request"].search([("project_id", "=", self.project_a.id)]),
                self.mr,
            )
            self._hidden(
                f"{user.login} steps by document",
                lambda e=env: e["svc.approval.request"].search([("res_model", "=", self.mr._name), ("res_id", "=", self.mr.id)]),
                self.request,
            )  # fmt: skip
            self._hidden(
                f"{user.login} log by step",
                lambda e=env: e["svc.approval.log"].search([("request_id", "=", self.request.id)]),
                self.log,
            )
            self._hidden(
                f"{user.login} log by step's company",
                lambda e=env: e["svc.approval.log"].search(
                    [("request_id.company_id", "=", self.company_a.id)]
                ),
                self.log,
            )
            self._hidden(
                f"{user.login} exceptions by owner",
                lambda e=env, u=user: e["svc.exception"].search([("owner_id", "=", u.id)]),
                self.exception,
            )
            self._hidden(
                f"{user.login} PO lines by order",
                lambda e=env: e["purchase.order.line"].search([("order_id", "=", self.po.id)]),
                self.po.order_line,
            )
            messages = env["mail.message"].search(
                [("model", "=", self.mr._name), ("res_id", "=", self.mr.id)]
            )
            self._check(f"{user.login} reads the chatter of company A's request", not messages)
            self._refused(
                f"{user.login} requests material for company A's project",
                lambda e=env: e["svc.material.request"].create(
                    {"project_id": self.project_a.id, "needed_date": fields.Date.today() + timedelta(days=7)}
                ),
            )
            self._refused(
                f"{user.login} creates a request in company A",
                lambda e=env: e["svc.material.request"].create({"company_id": self.company_a.id}),
            )
            self._refused(
                f"{user.login} attaches a line to company A's request",
                lambda e=env: e["svc.material.request.line"].create(
                    {"request_id": self.mr.id, "product_id": self.product.id, "quantity": 1}
                ),
            )
        # a row of company B pointed at company A's request must not show its name
        own = (
            self.env["svc.exception"]
            .with_user(self.manager_b)
            .create({"name": "Pointer", "res_model": self.mr._name, "res_id": self.mr.id})
        )
        self.assertEqual(own.company_id, self.company_b)
        self._check(
            f"a row of B shows the name of A's request: {own.res_name}",
            self.mr.name not in (own.res_name or ""),
        )
        action = own.action_open_record()
        self._refused(
            "open the pointed record",
            lambda: (
                self.env[action["res_model"]]
                .with_user(self.manager_b)
                .browse(action["res_id"])
                .read(["name"])
            ),
        )
        self._verdict()
