from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .billing_period import AUTOMATIC_PERIODS, billing_period
from .capacity_math import week_monday
from .svc_billing_readiness_check import CHECKS

BLOCKING_CATEGORIES_PARAM = "svc_resource_planning.billing_blocking_categories"
DEFAULT_BLOCKING_CATEGORIES = "billing,general"
FINANCE_GROUP = "account.group_account_invoice"
FINANCE_MANAGER_GROUP = "account.group_account_manager"
OPEN_EXCEPTION_STATES = ("open", "in_progress")

# what only the actions set (as superuser): writing them directly would lift the invoice hold
ACTION_FIELDS = frozenset(
    {
        "readiness_state",
        "signoff_recorded_by_id",
        "signoff_recorded_at",
        "invoice_id",
        "released_by_id",
        "released_at",
        "ready_since",
    }
)

# what the checks are about: choosing a narrower scope would lift the invoice hold, so after
# creation only finance changes it, and a change runs the checks again
SCOPE_FIELDS = frozenset({"sale_order_id", "project_id", "period_start", "period_end", "milestone_ids"})


class SvcBillingReadiness(models.Model):
    """Is this order ready to bill for this period or milestone? Five checks say so.

    Milestones reached, timesheets validated and the team compliant, reinvoiced expenses
    approved and posted, the client's sign-off recorded, no blocking exception on the
    project. Finance releases a ready one (Odoo's own _create_invoices makes the draft
    invoice); a blocked one holds the order's invoices unless a finance manager releases
    it on the approval engine's emergency path.
    """

    _name = "svc.billing.readiness"
    _description = "Billing Readiness"
    _inherit = ["mail.thread", "mail.activity.mixin", "svc.approval.mixin"]
    _order = "planned_invoice_date, id desc"

    name = fields.Char(compute="_compute_name", store=True, precompute=True)
    sale_order_id = fields.Many2one(
        "sale.order", "Sales Order", required=True, index=True, ondelete="cascade", tracking=True,
        domain=[("state", "=", "sale")],
    )  # fmt: skip
    partner_id = fields.Many2one(related="sale_order_id.partner_id", store=True, precompute=True)
    account_manager_id = fields.Many2one(
        related="sale_order_id.user_id", string="Account Manager", store=True, precompute=True
    )
    project_id = fields.Many2one(
        "project.project",
        compute="_compute_project_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
    )
    company_id = fields.Many2one(related="sale_order_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="sale_order_id.currency_id")
    amount_untaxed = fields.Monetary(related="sale_order_id.amount_untaxed", string="Order Untaxed")
    period_start = fields.Date(required=True, tracking=True)
    period_end = fields.Date(required=True, tracking=True)
    planned_invoice_date = fields.Date(
        tracking=True, help="Past this date a blocked readiness raises an exception."
    )
    milestone_ids = fields.Many2many(
        "project.milestone", string="Milestones", tracking=True,
        help="The milestones this billing is for. Empty: the project's milestones due in the period.",
    )  # fmt: skip
    readiness_state = fields.Selection(
        [("blocked", "Blocked"), ("ready", "Ready"), ("released", "Released")],
        "Readiness", default="blocked", required=True, readonly=True, tracking=True, index=True, copy=False,
        group_expand="_group_expand_readiness_state",
    )  # fmt: skip
    check_ids = fields.One2many("svc.billing.readiness.check", "readiness_id", "Checks", readonly=True)
    unmet_count = fields.Integer("Unmet Checks", compute="_compute_unmet")
    unmet_summary = fields.Text("Why Blocked", compute="_compute_unmet")
    last_checked_at = fields.Datetime(readonly=True, copy=False)
    ready_since = fields.Datetime(
        readonly=True, copy=False,
        help="When the checks last turned all met. Ready and not released for the company's "
        "release days, it raises a billing_not_released exception for finance.",
    )  # fmt: skip
    signoff_partner_id = fields.Many2one("res.partner", "Signed Off By", tracking=True, copy=False)
    signoff_date = fields.Date("Sign-off Date", tracking=True, copy=False)
    signoff_attachment_ids = fields.Many2many(
        "ir.attachment", string="Sign-off Document", copy=False, help="The signed acceptance document."
    )
    signoff_recorded_by_id = fields.Many2one("res.users", "Sign-off Recorded By", readonly=True, copy=False)
    signoff_recorded_at = fields.Datetime("Sign-off Recorded On", readonly=True, copy=False)
    invoice_id = fields.Many2one("account.move", "Invoice", readonly=True, copy=False)
    released_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    released_at = fields.Datetime(readonly=True, copy=False)

    @api.depends("sale_order_id.name", "period_start", "period_end")
    def _compute_name(self):
        for readiness in self:
            readiness.name = f"{readiness.sale_order_id.name or ''} {readiness.period_start or ''}..{readiness.period_end or ''}"

    @api.depends("sale_order_id")
    def _compute_project_id(self):
        for readiness in self:
            if not readiness.project_id:
                order = readiness.sale_order_id
                readiness.project_id = order.project_ids[:1] or order.order_line.project_id[:1]

    @api.depends("check_ids.state", "check_ids.reason")
    def _compute_unmet(self):
        for readiness in self:
            unmet = readiness.check_ids.filtered(lambda check: check.state == "unmet")
            readiness.unmet_count = len(unmet)
            labels = dict(CHECKS)
            readiness.unmet_summary = "\n".join(f"{labels[check.code]}: {check.reason}" for check in unmet)

    def _group_expand_readiness_state(self, states, domain, order):
        return [key for key, _label in self._fields["readiness_state"].selection]

    _sql_constraints = [
        (
            "order_period_uniq",
            "unique(sale_order_id, period_start, period_end)",
            "This order already has a billing readiness for this period: open that one instead.",
        ),
    ]

    @api.constrains("period_start", "period_end")
    def _check_period(self):
        for readiness in self:
            if readiness.period_end < readiness.period_start:
                raise ValidationError(_("The billing period of %s ends before it starts.", readiness.name))

    # ------------------------------------------------------------ approval
    def _svc_approval_amount(self):
        self.ensure_one()
        return self.sale_order_id.amount_untaxed

    def _svc_on_approved(self):
        for readiness in self:
            readiness.message_post(
                body=_(
                    "Invoice hold lifted for %s: its invoices may be posted although checks are unmet.",
                    readiness.name,
                ),
                subtype_xmlid="mail.mt_note",
            )

    # --------------------------------------------------------------- actions
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(ACTION_FIELDS & set(vals) for vals in vals_list):
            raise AccessError(
                _("A readiness starts blocked: run Check, record the sign-off and release with the buttons.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and ACTION_FIELDS & set(vals):
            raise AccessError(
                _("The readiness state, sign-off record and release of %s are set by the Check, Record "
                  "Sign-off and Release actions only.", ", ".join(self.mapped("name")))
            )  # fmt: skip
        scope_change = SCOPE_FIELDS & set(vals)
        if scope_change and not self.env.su and not self.env.user.has_group(FINANCE_GROUP):
            raise AccessError(
                _("Only finance (Invoicing: Billing) may change the order, project, period or milestones "
                  "of %s once it exists: they decide what the readiness checks. Ask finance to change it.",
                  ", ".join(self.mapped("name")))
            )  # fmt: skip
        result = super().write(vals)
        if scope_change:
            self._svc_run_checks()
        return result

    def action_check(self):
        """Recompute every check of these readinesses now (batched); returns True."""
        self._svc_run_checks()
        return True

    def action_record_signoff(self):
        """Record the client's sign-off: who, when and the signed document are required."""
        for readiness in self:
            missing = [
                label
                for label, value in (
                    (_("who signed"), readiness.signoff_partner_id),
                    (_("the date"), readiness.signoff_date),
                    (_("the signed document"), readiness.signoff_attachment_ids),
                )
                if not value
            ]
            if missing:
                raise UserError(
                    _(
                        "To record the sign-off of %(name)s, fill in %(missing)s.",
                        name=readiness.name,
                        missing=", ".join(missing),
                    )
                )
        self.sudo().write(
            {"signoff_recorded_by_id": self.env.uid, "signoff_recorded_at": fields.Datetime.now()}
        )
        for readiness in self:
            readiness.message_post(
                body=_("Client sign-off by %(who)s on %(date)s recorded by %(user)s.",
                       who=readiness.signoff_partner_id.display_name, date=readiness.signoff_date,
                       user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )  # fmt: skip
        return True

    def action_release(self):
        """Finance releases ready readinesses: one draft invoice per order through Odoo's
        own _create_invoices, linked here (read it from invoice_id). Returns True."""
        if not self.env.user.has_group(FINANCE_GROUP):
            raise AccessError(_("Only finance (Invoicing: Billing) may release an order for invoicing."))
        self._svc_check_segregation(_("release it"))
        already = self.filtered(lambda readiness: readiness.readiness_state == "released")
        if already:
            raise UserError(_("Already released: %s.", ", ".join(already.mapped("name"))))
        self._svc_run_checks()
        blocked = self.filtered(
            lambda readiness: readiness.readiness_state != "ready"
            and readiness.approval_state not in ("approved", "emergency")
        )  # fmt: skip
        if blocked:
            raise UserError(
                _(
                    "%(name)s is not ready to bill:\n%(why)s",
                    name=blocked[0].name,
                    why=blocked[0].unmet_summary,
                )
            )
        invoices = self.env["account.move"]
        for readiness in self:
            invoice = readiness.sale_order_id._create_invoices()
            readiness.sudo().write({
                "invoice_id": invoice[:1].id, "readiness_state": "released",
                "released_by_id": self.env.uid, "released_at": fields.Datetime.now(),
            })  # fmt: skip
            readiness.message_post(
                body=_("Released for invoicing by %s.", self.env.user.name), subtype_xmlid="mail.mt_note"
            )
            invoices |= invoice
        for key in ("billing_blocked", "billing_not_released"):
            self.env["svc.exception"].resolve_for(self, key, _("Released for invoicing."))
        self.env["svc.outbox.event"]._publish_many("billing.released",
            [(readiness, {"order": readiness.sale_order_id.name, "readiness": readiness.name,
                          "invoice_id": readiness.invoice_id.id, "amount_total": readiness.invoice_id.amount_total,
                          "released_by": self.env.user.name}) for readiness in self],
        )  # fmt: skip
        return True

    def action_emergency_release(self, justification):
        """Lift the invoice hold of a blocked readiness: finance managers only, never the
        person who recorded the client's sign-off (segregation of duties)."""
        if not self.env.user.has_group(FINANCE_MANAGER_GROUP):
            raise AccessError(_("Only a finance manager may lift an invoice hold on the emergency path."))
        self._svc_check_segregation(_("release it on the emergency path"))
        return super().action_emergency_release(justification)

    def action_view_invoice(self):
        """Open the invoice created at release."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.invoice_id.id,
            "view_mode": "form",
        }

    # -------------------------------------------------------------- business
    @api.model
    def _cron_recheck(self, batch_size=500):
        """Daily: open the current period's readiness of each confirmed order with service
        lines, then re-check every open readiness; flag the blocked ones past their planned
        invoice date (`billing_blocked`, resolved when they are ready) and the ready ones
        not released within the company's release days (`billing_not_released`). Safe to
        re-run: a period already opened is not opened again, a flag already raised is refreshed."""
        today = fields.Date.context_today(self)
        self._svc_open_periods(today, batch_size=batch_size)
        open_ones = self.search([("readiness_state", "!=", "released")], order="id")
        for start in range(0, len(open_ones), batch_size):
            batch = open_ones[start : start + batch_size]
            batch._svc_run_checks()
            batch._svc_flag_not_released()
            late = batch.filtered(
                lambda readiness: readiness.readiness_state == "blocked"
                and readiness.planned_invoice_date and readiness.planned_invoice_date < today
            )  # fmt: skip
            self.env["svc.exception"]._raise_many("billing_blocked", "billing", [
                {"record": readiness, "owner": readiness.account_manager_id or None,
                 "message": _("%(name)s is past its planned invoice date (%(date)s) and still blocked\n%(why)s",
                              name=readiness.name, date=readiness.planned_invoice_date, why=readiness.unmet_summary)}
                for readiness in late
            ], severity="high")  # fmt: skip
            if self.env.context.get("svc_cron_commit"):
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(open_ones)

    @api.model
    def _svc_open_periods(self, day, batch_size=500):
        """Create the readiness of the period containing `day` for each confirmed order with
        service lines whose billing period is automatic, unless the order already has one
        overlapping that period (made by hand, or by an earlier run). Returns the new ones,
        unchecked: the re-check that follows in the cron checks them with the rest."""
        orders = self.env["sale.order"].search(
            [("state", "=", "sale"), ("order_line.is_service", "=", True),
             ("svc_billing_period", "in", AUTOMATIC_PERIODS), ("invoice_status", "!=", "invoiced")],
            order="id",
        )  # fmt: skip
        created = self.browse()
        for start in range(0, len(orders), batch_size):
            batch = orders[start : start + batch_size]
            periods = {order: billing_period(day, order.svc_billing_period) for order in batch}
            taken = defaultdict(list)
            for readiness in self.search_fetch(
                [("sale_order_id", "in", batch.ids),
                 ("period_start", "<=", max(end for _start, end in periods.values())),
                 ("period_end", ">=", min(start for start, _end in periods.values()))],
                ["sale_order_id", "period_start", "period_end"],
            ):  # fmt: skip
                taken[readiness.sale_order_id].append((readiness.period_start, readiness.period_end))
            vals_list = [
                {"sale_order_id": order.id, "period_start": p_start, "period_end": p_end,
                 "planned_invoice_date": p_end}
                for order, (p_start, p_end) in periods.items()
                if not any(t_start <= p_end and t_end >= p_start for t_start, t_end in taken[order])
            ]  # fmt: skip
            created |= self.create(vals_list)
            if self.env.context.get("svc_cron_commit"):
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return created

    def _svc_flag_not_released(self):
        """Raise `billing_not_released` for the ready ones past their company's release days."""
        now = fields.Datetime.now()
        late = self.filtered(
            lambda readiness: readiness.readiness_state == "ready" and readiness.ready_since
            and readiness.ready_since <= now - timedelta(days=readiness.company_id.svc_billing_release_days)
        )  # fmt: skip
        self.env["svc.exception"]._raise_many("billing_not_released", "billing", [
            {"record": readiness, "owner": readiness.company_id.svc_billing_responsible_id or None,
             "message": _("%(name)s has been ready to bill since %(since)s and is not released "
                          "(release within %(days)s days)\nRelease it for invoicing on Billing Readiness.",
                          name=readiness.name, since=fields.Date.to_date(readiness.ready_since),
                          days=readiness.company_id.svc_billing_release_days)}
            for readiness in late
        ])  # fmt: skip
        return late

    @api.model
    def _svc_recheck_for(self, projects=None, orders=None):
        """Re-check the open readinesses of these projects or orders (automation rules)."""
        domain = [("readiness_state", "!=", "released")]
        if projects is not None:
            domain.append(("project_id", "in", projects.ids))
        if orders is not None:
            domain.append(("sale_order_id", "in", orders.ids))
        readinesses = self.sudo().search(domain)
        readinesses._svc_run_checks()
        return readinesses

    def _svc_check_segregation(self, verb):
        recorded = self.filtered(lambda readiness: readiness.signoff_recorded_by_id == self.env.user)
        if recorded:
            raise UserError(
                _("You recorded the client sign-off of %(name)s, so you cannot %(verb)s: another finance "
                  "user must (segregation of duties).", name=recorded[0].name, verb=verb)
            )  # fmt: skip

    def _svc_run_checks(self):
        """Run the five checks for all these readinesses with a fixed number of queries."""
        todo = self.filtered(lambda readiness: readiness.readiness_state != "released")
        if not todo:
            return
        todo.fetch(["sale_order_id", "project_id", "period_start", "period_end", "milestone_ids",
                    "signoff_partner_id", "signoff_date", "signoff_attachment_ids", "signoff_recorded_by_id",
                    "readiness_state"])  # fmt: skip
        results = defaultdict(dict)
        for check in (self._check_milestones, self._check_timesheets, self._check_expenses,
                      self._check_signoff, self._check_exceptions):  # fmt: skip
            for readiness, (state, reason) in check(todo).items():
                results[readiness][check.__name__.removeprefix("_check_")] = (state, reason)
        self.env["svc.billing.readiness.check"]._upsert(
            [(readiness, code, state, reason) for readiness in todo for code, (state, reason) in results[readiness].items()]
        )  # fmt: skip
        ready = todo.filtered(
            lambda readiness: all(state == "met" for state, _r in results[readiness].values())
        )
        newly_ready = ready.filtered(lambda readiness: readiness.readiness_state == "blocked")
        blocked = (todo - ready).filtered(lambda readiness: readiness.readiness_state == "ready")
        now = fields.Datetime.now()
        todo.sudo().write({"last_checked_at": now})
        if newly_ready:
            newly_ready.sudo().write({"readiness_state": "ready", "ready_since": now})
            self.env["svc.exception"].resolve_for(newly_ready, "billing_blocked", _("Ready to bill."))
            self.env["svc.outbox.event"]._publish_many("billing.ready",
                [(readiness, {"order": readiness.sale_order_id.name, "readiness": readiness.name,
                              "period_start": readiness.period_start, "period_end": readiness.period_end})
                 for readiness in newly_ready],
            )  # fmt: skip
        undated = (ready - newly_ready).filtered(lambda readiness: not readiness.ready_since)
        if undated:  # ready before ready_since existed: count from now
            undated.sudo().write({"ready_since": now})
        if blocked:
            blocked.sudo().write({"readiness_state": "blocked", "ready_since": False})
            self.env["svc.exception"].resolve_for(blocked, "billing_not_released", _("Blocked again."))

    # The checks: each takes the readinesses and returns {readiness: (state, reason)}.
    @api.model
    def _check_milestones(self, readinesses):
        projects = readinesses.project_id
        milestones = self.env["project.milestone"].sudo().search_fetch(
            [("project_id", "in", projects.ids)], ["project_id", "deadline", "is_reached", "name"]
        ) if projects else self.env["project.milestone"]  # fmt: skip
        by_project = defaultdict(list)
        for milestone in milestones:
            by_project[milestone.project_id.id].append(milestone)
        result = {}
        for readiness in readinesses:
            if readiness.milestone_ids:
                scope = list(readiness.milestone_ids.sudo())
            else:
                scope = [m for m in by_project[readiness.project_id.id]
                         if m.deadline and readiness.period_start <= m.deadline <= readiness.period_end]  # fmt: skip
            open_ones = [m.name for m in scope if not m.is_reached]
            if open_ones:
                result[readiness] = ("unmet", _("not reached: %s", ", ".join(open_ones)))
            else:
                result[readiness] = (
                    "met",
                    _("%s reached", len(scope)) if scope else _("no milestone in the period"),
                )
        return result

    @api.model
    def _check_timesheets(self, readinesses):
        projects = readinesses.project_id
        start, end = min(readinesses.mapped("period_start")), max(readinesses.mapped("period_end"))
        groups = self.env["account.analytic.line"].sudo()._read_group(
            [("project_id", "in", projects.ids), ("date", ">=", start), ("date", "<=", end)],
            ["project_id", "employee_id", "date:day", "svc_validated"],
            ["__count"],
        ) if projects else []  # fmt: skip
        by_project = defaultdict(list)
        for project, employee, day, validated, count in groups:
            by_project[project.id].append((employee, day, validated, count))
        employees = self.env["hr.employee"].browse({employee.id for _p, employee, *_rest in groups})
        below = defaultdict(list)
        if employees:
            for row in self.env["svc.timesheet.compliance"].sudo().search_fetch(
                [("employee_id", "in", employees.ids), ("state", "=", "below"),
                 ("week_start", ">=", week_monday(start)), ("week_start", "<=", end)],
                ["employee_id", "week_start"],
            ):  # fmt: skip
                below[row.employee_id.id].append(row.week_start)
        result = {}
        for readiness in readinesses:
            p_start, p_end = readiness.period_start, readiness.period_end
            unvalidated, team = 0, set()
            for employee, day, validated, count in by_project[readiness.project_id.id]:
                if p_start <= day <= p_end:
                    team.add(employee)
                    if not validated:
                        unvalidated += count
            late = sorted(
                f"{employee.name} ({week})"
                for employee in team
                for week in below[employee.id]
                if week <= p_end and week + timedelta(days=6) >= p_start
            )
            reasons = []
            if unvalidated:
                reasons.append(_("%s timesheet lines not validated", unvalidated))
            if late:
                reasons.append(_("below timesheet compliance: %s", ", ".join(late)))
            result[readiness] = (
                ("unmet", "; ".join(reasons))
                if reasons
                else ("met", _("%s people, all validated", len(team)))
            )
        return result

    @api.model
    def _check_expenses(self, readinesses):
        expenses = (
            self.env["hr.expense"]
            .sudo()
            .search_fetch(
                [("sale_order_id", "in", readinesses.sale_order_id.ids), ("state", "!=", "refused")],
                ["sale_order_id", "date", "name", "state", "sheet_id"],
            )
        )
        expenses.sheet_id.fetch(["state"])
        by_order = defaultdict(list)
        for expense in expenses:
            by_order[expense.sale_order_id.id].append(expense)
        labels = dict(self.env["hr.expense"]._fields["state"]._description_selection(self.env))
        result = {}
        for readiness in readinesses:
            scope = [
                e
                for e in by_order[readiness.sale_order_id.id]
                if not e.date or e.date <= readiness.period_end
            ]
            pending = [e for e in scope if e.sheet_id.state not in ("post", "done")]
            if pending:
                result[readiness] = ("unmet", _("not approved and posted: %s", ", ".join(
                    f"{e.name} ({labels.get(e.state, e.state)})" for e in pending)))  # fmt: skip
            else:
                result[readiness] = (
                    "met",
                    _("%s posted", len(scope)) if scope else _("no expense to reinvoice"),
                )
        return result

    @api.model
    def _check_signoff(self, readinesses):
        result = {}
        for readiness in readinesses:
            missing = [
                label
                for label, value in (
                    (_("who signed"), readiness.signoff_partner_id),
                    (_("date"), readiness.signoff_date),
                    (_("signed document"), readiness.signoff_attachment_ids),
                    (_("recorded"), readiness.signoff_recorded_by_id),
                )
                if not value
            ]
            if missing:
                result[readiness] = ("unmet", _("missing: %s", ", ".join(missing)))
            else:
                result[readiness] = ("met", _("signed by %(who)s on %(date)s",
                                              who=readiness.signoff_partner_id.display_name, date=readiness.signoff_date))  # fmt: skip
        return result

    @api.model
    def _check_exceptions(self, readinesses):
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(BLOCKING_CATEGORIES_PARAM, DEFAULT_BLOCKING_CATEGORIES)
        )
        categories = [category.strip() for category in param.split(",") if category.strip()]
        exceptions = self.env["svc.exception"].sudo().search_fetch(
            [("res_model", "=", "project.project"), ("res_id", "in", readinesses.project_id.ids),
             ("state", "in", OPEN_EXCEPTION_STATES), ("category", "in", categories)],
            ["res_id", "name"],
        )  # fmt: skip
        by_project = defaultdict(list)
        for exception in exceptions:
            by_project[exception.res_id].append(exception.name)
        result = {}
        for readiness in readinesses:
            names = by_project[readiness.project_id.id]
            result[readiness] = (
                ("unmet", _("open: %s", "; ".join(names))) if names else ("met", _("none open"))
            )
        return result

    # ------------------------------------------------------------------ demo
    @api.model
    def _svc_demo_timesheets(self, order_hours, employee_id):
        """Demo data: log hours on each order's task three days ago, and validate them."""
        day = fields.Date.context_today(self) - timedelta(days=3)
        orders = self.env["sale.order"].browse([order_id for order_id, _hours in order_hours])
        lines = self.env["account.analytic.line"].create([
            {"name": _("Consulting"), "task_id": order.order_line.task_id[:1].id,
             "project_id": order.order_line.task_id[:1].project_id.id, "unit_amount": hours,
             "employee_id": employee_id, "date": day}
            for order, (_id, hours) in zip(orders, order_hours, strict=False)
        ])  # fmt: skip
        lines.action_svc_validate()
        return lines.ids

    @api.model
    def _svc_demo_milestones(self, readiness_ids):
        """Demo data: a reached milestone in each readiness's period."""
        readinesses = self.browse(readiness_ids)
        self.env["project.milestone"].create([
            {"name": _("Design signed off"), "project_id": readiness.project_id.id,
             "deadline": readiness.period_end - timedelta(days=5), "is_reached": True}
            for readiness in readinesses
        ])  # fmt: skip
        return True

    @api.model
    def _svc_demo_overage(self, order_id, hours, rate, reason):
        """Demo data: an overage request waiting for the account manager."""
        line = self.env["sale.order"].browse(order_id).order_line[:1]
        overage = self.env["svc.retainer.overage"].create(
            {"sale_line_id": line.id, "hours": hours, "rate": rate, "reason": reason}
        )
        overage.action_submit()
        return overage.id
