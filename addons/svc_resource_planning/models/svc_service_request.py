from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.svc_ops_base.models.rpc_args import date_argument, ids_argument

EFFECTS = [
    ("overtime", "Overtime"),
    ("rate_override", "Rate Override"),
    ("budget_increase", "Budget Increase"),
    ("write_off", "Write-off"),
]
# the request fields each kind of exception needs (the type may ask for more: justification, attachment)
EFFECT_FIELDS = {
    "overtime": ("employee_id", "project_id", "week_start", "hours"),
    "rate_override": ("sale_line_id", "price_unit"),
    "budget_increase": ("project_id", "amount"),
    "write_off": ("order_id", "timesheet_ids"),
}
# what a submitted request keeps as it was asked (the approvers decided on it)
FROZEN_FIELDS = {name for names in EFFECT_FIELDS.values() for name in names} | {"type_id", "justification"}
STATES = [("draft", "Draft"), ("pending", "Pending"), ("approved", "Approved"), ("rejected", "Rejected")]


class SvcServiceRequestType(models.Model):
    """A kind of service-delivery exception (overtime, a rate under the rate card, more
    budget, a write-off): which fields a request of the kind needs, and what its approval does.

    The effect is code (one per kind), so an approved request changes the suite by itself;
    the type only lets a firm name it, order it and ask for a justification or a document.
    """

    _name = "svc.service.request.type"
    _description = "Service Request Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    effect = fields.Selection(
        EFFECTS, required=True,
        help="What an approved request of this type does: Overtime records the extra hours of the week "
        "(counted by capacity and compliance); Rate Override applies the price to the order line; Budget "
        "Increase raises the project's budget; Write-off makes the timesheets not billable.",
    )  # fmt: skip
    requires_justification = fields.Boolean(default=True)
    requires_attachment = fields.Boolean()
    description = fields.Text(translate=True, help="What the requester reads: when to ask, what happens.")

    _sql_constraints = [("effect_unique", "unique(effect)", "One type per effect.")]


class SvcServiceRequest(models.Model):
    """A request for a service-delivery exception, governed by the approval engine.

    Approved, it takes effect (see `_svc_apply`); rejected, nothing changes. The approvers
    come from the approval policies on this model (the demo: the project manager).
    """

    _name = "svc.service.request"
    _description = "Service Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "svc.approval.mixin", "svc.requester.mixin"]
    _svc_approval_state_field = "state"
    _svc_approval_gated_states = ("approved",)
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    type_id = fields.Many2one(
        "svc.service.request.type", "Type", required=True, ondelete="restrict", tracking=True
    )
    effect = fields.Selection(related="type_id.effect", store=True, index=True)
    requested_by_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    state = fields.Selection(
        STATES, default="draft", required=True, readonly=True, tracking=True, index=True, copy=False
    )
    justification = fields.Text()
    employee_id = fields.Many2one("hr.employee", "Employee", index="btree_not_null")
    project_id = fields.Many2one("project.project", "Project", index="btree_not_null")
    week_start = fields.Date("Week", help="Any day of the ISO week: the Monday is kept.")
    hours = fields.Float("Extra Hours")
    sale_line_id = fields.Many2one("sale.order.line", "Order Line", index="btree_not_null")
    order_id = fields.Many2one("sale.order", "Order", index="btree_not_null")
    list_price = fields.Monetary(
        "Rate Card Price", compute="_compute_list_price", compute_sudo=True, currency_field="currency_id",
        help="The line's pricelist price (the product's list price without a pricelist rule), in the order's "
        "currency: the rate card the override goes under.",
    )  # fmt: skip
    price_unit = fields.Monetary("New Unit Price", currency_field="currency_id")
    amount = fields.Monetary(currency_field="currency_id")
    timesheet_ids = fields.Many2many(
        "account.analytic.line", "svc_service_request_timesheet_rel", "request_id", "line_id",
        "Timesheets to Write Off", domain="[('order_id', '=', order_id), ('timesheet_invoice_id', '=', False)]",
    )  # fmt: skip
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments")
    manager_id = fields.Many2one(
        "res.users", "Responsible Manager", compute="_compute_manager_id", store=True,
        help="The project's manager (or the order's salesperson): the approver of the demo policy.",
    )  # fmt: skip
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    # read through the order as the system: a resource manager who may not read sales orders
    # still sees a request's amounts in their currency
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id", compute_sudo=True)
    applied_at = fields.Datetime(readonly=True, copy=False, help="When the approved effect was applied.")

    @api.depends(
        "type_id.name", "employee_id.name", "project_id.name", "sale_line_id", "order_id.name", "hours"
    )
    def _compute_name(self):
        for request in self:
            subject = (
                request.employee_id.name or request.sale_line_id.order_id.name
                or request.order_id.name or request.project_id.name or ""
            )  # fmt: skip
            request.name = f"{request.type_id.name or _('Request')}: {subject}".strip(": ")

    @api.depends("project_id.user_id", "sale_line_id.order_id", "order_id")
    def _compute_manager_id(self):
        for request in self:
            order = request.sale_line_id.order_id or request.order_id
            project = request.project_id or order.project_ids[:1]
            request.manager_id = project.user_id or order.user_id

    @api.depends("sale_line_id", "order_id", "project_id", "company_id")
    def _compute_currency_id(self):
        for request in self:
            order = request.sale_line_id.order_id or request.order_id
            request.currency_id = (
                order.currency_id or request.project_id.currency_id or request.company_id.currency_id
            )

    @api.depends("sale_line_id.product_id", "currency_id")
    def _compute_list_price(self):
        for request in self:
            request.list_price = request.sale_line_id._svc_rate_card_price() if request.sale_line_id else 0.0

    @api.onchange("week_start")
    def _onchange_week_start(self):
        if self.week_start:
            self.week_start = self.week_start - timedelta(days=self.week_start.weekday())

    @api.constrains("hours", "amount", "price_unit", "week_start")
    def _check_values(self):
        for request in self:
            if request.hours < 0 or request.amount < 0 or request.price_unit < 0:
                raise ValidationError(_("Hours, amounts and prices of a service request cannot be negative."))
            if request.week_start and request.week_start.weekday():
                raise ValidationError(_("The week of an overtime request starts on a Monday."))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("state", "draft") != "draft" for vals in vals_list):
            raise UserError(_("A service request starts as a draft: create it, then submit it for approval."))
        for vals in vals_list:
            self._svc_week_to_monday(vals)
        return super().create(vals_list)

    def write(self, vals):
        """The approval decides the state; a request is only changed while it is a draft."""
        if not self.env.su and (
            "state" in vals or (FROZEN_FIELDS & set(vals) and self.filtered(lambda r: r.state != "draft"))
        ):
            raise UserError(
                _("Only draft service requests can be changed, and only their approval decides their state.")
            )
        self._svc_week_to_monday(vals)
        return super().write(vals)

    @staticmethod
    def _svc_week_to_monday(vals):
        """Any day of the week may be given: the request keeps the Monday of that ISO week."""
        if vals.get("week_start"):
            day = fields.Date.to_date(vals["week_start"])
            vals["week_start"] = day - timedelta(days=day.weekday())

    # ------------------------------------------------------------------ approval hooks
    def _svc_approval_requester(self):
        self.ensure_one()
        return self.requested_by_id or self.create_uid

    def _svc_approval_amount(self):
        """What the exception is worth in money: the budget, the price cut, the written-off value."""
        self.ensure_one()
        if self.effect == "budget_increase":
            return self.amount
        if self.effect == "rate_override":
            return max(self.list_price - self.price_unit, 0.0) * self.sale_line_id.product_uom_qty
        if self.effect == "write_off":
            return sum(line.unit_amount * line.so_line.price_unit for line in self.sudo().timesheet_ids)
        return 0.0

    def _svc_check_complete(self):
        """Each type needs its fields; a clear list of what is missing, before anyone is asked."""
        for request in self:
            needed = list(EFFECT_FIELDS.get(request.effect, ()))
            if request.type_id.requires_justification:
                needed.append("justification")
            if request.type_id.requires_attachment:
                needed.append("attachment_ids")
            missing = [request._fields[name].get_description(self.env)["string"]
                       for name in needed if not request[name]]  # fmt: skip
            if missing:
                raise UserError(
                    _("%(type)s request %(request)s needs: %(fields)s.",
                      type=request.type_id.name, request=request.name, fields=", ".join(missing))
                )  # fmt: skip
            request._svc_check_effect_input()

    def _svc_check_effect_input(self):
        self.ensure_one()
        if self.effect == "rate_override" and self.price_unit >= self.list_price:
            raise UserError(
                _("%(line)s: %(price)s is not under the rate card price (%(list)s): no override is needed.",
                  line=self.sale_line_id.display_name, price=self.price_unit, list=self.list_price)
            )  # fmt: skip
        if self.effect == "write_off":
            foreign = self.timesheet_ids.filtered(lambda line: line.order_id != self.order_id)
            invoiced = self.timesheet_ids.filtered("timesheet_invoice_id")
            if foreign or invoiced:
                raise UserError(
                    _("Only unbilled timesheets of %(order)s can be written off: %(lines)s.",
                      order=self.order_id.name, lines=", ".join((foreign | invoiced).mapped("name")))
                )  # fmt: skip

    def action_submit(self):
        """Send the request to its approvers (the approval policies decide who)."""
        not_draft = self.filtered(lambda request: request.state != "draft")
        if not_draft:
            raise UserError(
                _("Only draft service requests can be submitted: %s.", ", ".join(not_draft.mapped("name")))
            )
        self._svc_check_complete()
        self.sudo().write({"state": "pending"})
        self.action_request_approval()
        ungoverned = self.filtered(lambda request: request.approval_state == "not_required")
        ungoverned._svc_approval_release()
        ungoverned._svc_on_approved()
        return True

    def _svc_on_approved(self):
        """Apply the effect once: the state is approved only here, and a request already
        applied (two approvers deciding at once end in one commit) is skipped."""
        todo = self.sudo().filtered(lambda request: not request.applied_at)
        todo.write({"state": "approved", "applied_at": fields.Datetime.now()})
        for request in todo:
            getattr(request, f"_svc_apply_{request.effect}")()
        self.env["svc.outbox.event"]._publish_many(
            "service_request.approved", [(request, request._svc_event_payload()) for request in todo]
        )

    def _svc_on_rejected(self, reason):
        self.sudo().write({"state": "rejected"})
        self.env["svc.outbox.event"]._publish_many(
            "service_request.rejected",
            [(request, dict(request._svc_event_payload(), reason=reason)) for request in self],
        )

    def _svc_event_payload(self):
        self.ensure_one()
        return {
            "request": self.name, "request_id": self.id, "type": self.effect, "state": self.state,
            "requested_by": self.requested_by_id.name, "project": self.project_id.name or None,
            "employee": self.employee_id.name or None, "order": (self.sale_line_id.order_id or self.order_id).name or None,
            "hours": self.hours, "amount": self.amount, "price_unit": self.price_unit,
            "timesheet_ids": self.timesheet_ids.ids,
        }  # fmt: skip

    # ------------------------------------------------------------------ effects
    def _svc_apply_overtime(self):
        """Recorded: `approved_overtime_hours` returns it for the week (capacity, compliance)."""
        self.project_id.message_post(
            body=_("Overtime approved for %(employee)s in the week of %(week)s: %(hours)s extra hours (%(request)s).",
                   employee=self.employee_id.name, week=self.week_start, hours=self.hours, request=self.name),
            subtype_xmlid="mail.mt_note",
        )  # fmt: skip

    def _svc_apply_rate_override(self):
        line = self.sale_line_id
        line.write({"price_unit": self.price_unit, "svc_rate_override_id": self.id})
        line.order_id.message_post(
            body=_("Rate override approved on %(line)s: %(price)s instead of %(list)s (%(request)s).",
                   line=line.name, price=self.price_unit, list=self.list_price, request=self.name),
            subtype_xmlid="mail.mt_note",
        )  # fmt: skip

    def _svc_apply_budget_increase(self):
        project = self.project_id
        before = project.svc_budget
        project.write({"svc_budget": before + self.amount})
        project.message_post(
            body=_("Budget raised from %(before)s to %(after)s %(currency)s (%(request)s).",
                   before=before, after=project.svc_budget, currency=project.currency_id.name, request=self.name),
            subtype_xmlid="mail.mt_note",
        )  # fmt: skip

    def _svc_apply_write_off(self):
        lines = self.timesheet_ids.filtered(lambda line: not line.timesheet_invoice_id)
        lines.write({"so_line": False, "svc_write_off_request_id": self.id})
        self.order_id.message_post(
            body=_("%(hours)s unbilled hours written off (%(request)s).",
                   hours=round(sum(lines.mapped("unit_amount")), 2), request=self.name),
            subtype_xmlid="mail.mt_note",
        )  # fmt: skip

    @api.model
    def approved_overtime_hours(self, employee_ids, week_start):
        """Approved extra hours per employee in the ISO week of `week_start` (any day of it):
        [{"employee_id", "week_start", "hours"}], one entry per employee with approved overtime
        (a list, so XML-RPC clients can read it). For capacity and compliance figures."""
        day = date_argument(week_start, "week_start")
        employee_ids = ids_argument(employee_ids, "employee_ids")
        monday = day - timedelta(days=day.weekday())
        groups = self.sudo()._read_group(
            [("effect", "=", "overtime"), ("state", "=", "approved"),
             ("employee_id", "in", employee_ids), ("week_start", "=", monday)],
            ["employee_id"], ["hours:sum"],
        )  # fmt: skip
        return [
            {"employee_id": employee.id, "week_start": fields.Date.to_string(monday), "hours": hours}
            for employee, hours in groups
        ]

    @api.model
    def _svc_demo_write_off(self, order_id, justification):
        """Demo data: a write-off of the order's first unbilled timesheet, waiting for finance."""
        order = self.env["sale.order"].browse(order_id)
        lines = self.env["account.analytic.line"].search(
            [("order_id", "=", order.id), ("timesheet_invoice_id", "=", False), ("project_id", "!=", False)],
            order="date, id", limit=1,
        )  # fmt: skip
        request = self.create(
            {"type_id": self.env.ref("svc_resource_planning.service_request_type_write_off").id,
             "order_id": order.id, "timesheet_ids": [(6, 0, lines.ids)], "justification": justification}
        )  # fmt: skip
        request.action_submit()
        return request.id
