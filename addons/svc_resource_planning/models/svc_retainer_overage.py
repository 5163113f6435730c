from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class SvcRetainerOverage(models.Model):
    """A request to log more hours than a retainer contracts, and at which rate.

    Governed by the approval engine (commercial review: the account manager, then sales
    management above a number of hours in the demo policies). Approved, it raises the
    line's allowance and is recorded on the order.
    """

    _name = "svc.retainer.overage"
    _description = "Retainer Overage Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "svc.approval.mixin"]
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    sale_line_id = fields.Many2one(
        "sale.order.line", "Retainer", required=True, index=True, ondelete="cascade",
        domain=[("svc_is_retainer", "=", True)],
    )  # fmt: skip
    order_id = fields.Many2one(related="sale_line_id.order_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_id.partner_id")
    account_manager_id = fields.Many2one(
        "res.users", "Account Manager", related="order_id.user_id", store=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    hours = fields.Float("Extra Hours", required=True, tracking=True)
    rate = fields.Monetary("Hourly Rate", currency_field="currency_id", required=True, tracking=True)
    reason = fields.Text(required=True)
    requested_by_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("pending", "Pending"), ("approved", "Approved"), ("rejected", "Rejected")],
        default="draft", required=True, readonly=True, tracking=True, index=True, copy=False,
    )  # fmt: skip
    consumption = fields.Float(related="sale_line_id.svc_consumption", string="Consumption (%)")

    @api.depends("sale_line_id.order_id.name", "hours")
    def _compute_name(self):
        for overage in self:
            overage.name = _(
                "%(order)s: +%(hours)s h", order=overage.sale_line_id.order_id.name or "", hours=overage.hours
            )

    @api.constrains("hours", "rate")
    def _check_hours_rate(self):
        for overage in self:
            if overage.hours <= 0:
                raise ValidationError(_("An overage request needs a positive number of extra hours."))
            if overage.rate < 0:
                raise ValidationError(_("The overage rate cannot be negative."))

    @api.constrains("sale_line_id")
    def _check_retainer(self):
        for overage in self:
            if not overage.sale_line_id.svc_is_retainer:
                raise ValidationError(
                    _("%s is not a retainer (a prepaid hours service): no overage applies.",
                      overage.sale_line_id.display_name)
                )  # fmt: skip

    def _svc_approval_requester(self):
        self.ensure_one()
        return self.requested_by_id or self.create_uid

    def _svc_approval_amount(self):
        self.ensure_one()
        return self.hours * self.rate

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("state", "draft") != "draft" for vals in vals_list):
            raise UserError(
                _("An overage request starts as a draft: create it, then submit it for approval.")
            )
        return super().create(vals_list)

    def write(self, vals):
        """The approval decides the state; a request is only changed while it is a draft."""
        if not self.env.su and (
            "state" in vals
            or ({"hours", "rate", "sale_line_id"} & set(vals) and self.filtered(lambda o: o.state != "draft"))
        ):
            raise UserError(
                _("Only draft overage requests can be changed, and only their approval decides their state.")
            )
        return super().write(vals)

    def action_submit(self):
        """Send the request to its commercial review (the approval policies decide who)."""
        not_draft = self.filtered(lambda overage: overage.state != "draft")
        if not_draft:
            raise UserError(
                _("Only draft overage requests can be submitted: %s.", ", ".join(not_draft.mapped("name")))
            )
        self.sudo().write({"state": "pending"})
        self.action_request_approval()
        self.filtered(lambda overage: overage.approval_state == "not_required")._svc_on_approved()
        return True

    def _svc_on_approved(self):
        self.sudo().write({"state": "approved"})
        for overage in self:
            overage.order_id.message_post(
                body=_("Overage approved on %(line)s: %(hours)s extra hours at %(rate)s %(currency)s per hour (%(reason)s).",
                       line=overage.sale_line_id.name, hours=overage.hours, rate=overage.rate,
                       currency=overage.currency_id.name, reason=overage.reason),
                subtype_xmlid="mail.mt_note",
            )  # fmt: skip

    def _svc_on_rejected(self, reason):
        self.sudo().write({"state": "rejected"})
