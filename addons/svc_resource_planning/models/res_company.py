from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .billing_period import BILLING_PERIODS


class ResCompany(models.Model):
    _inherit = "res.company"

    svc_overallocation_threshold = fields.Float(
        "Over-allocation Threshold (%)",
        default=85.0,
        help="Confirming an allocation that takes an employee above this utilization in any week "
        "of its span goes through the approval policies.",
    )
    svc_late_stage_probability = fields.Float(
        "Late-stage Probability (%)",
        default=70.0,
        help="An opportunity reaching this probability opens a provisional staffing request.",
    )
    svc_billing_period = fields.Selection(
        BILLING_PERIODS, "Billing Period", default="monthly", required=True,
        help="The daily scheduled action opens a billing readiness per confirmed order with "
        "service lines and period; new orders take this period (each order can change it).",
    )  # fmt: skip
    svc_billing_release_days = fields.Integer(
        "Release Ready Billing Within (days)", default=5,
        help="A readiness ready this many days and not released raises a billing_not_released exception.",
    )  # fmt: skip
    svc_billing_responsible_id = fields.Many2one(
        "res.users", "Billing Responsible", domain=[("share", "=", False)],
        help="Owns the billing_not_released exceptions. Empty: they wait unowned in the queue.",
    )  # fmt: skip

    @api.constrains("svc_overallocation_threshold", "svc_late_stage_probability")
    def _check_svc_resource_percentages(self):
        for company in self:
            if not 0 < company.svc_overallocation_threshold <= 500:
                raise ValidationError(_("The over-allocation threshold is a percentage between 1 and 500."))
            if not 0 < company.svc_late_stage_probability <= 100:
                raise ValidationError(_("The late-stage probability is a percentage between 1 and 100."))

    @api.constrains("svc_billing_release_days")
    def _check_svc_billing_release_days(self):
        for company in self:
            if not 0 <= company.svc_billing_release_days <= 365:
                raise ValidationError(_("Release ready billing within 0 to 365 days."))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    svc_overallocation_threshold = fields.Float(
        related="company_id.svc_overallocation_threshold", readonly=False
    )
    svc_late_stage_probability = fields.Float(related="company_id.svc_late_stage_probability", readonly=False)
    svc_billing_period = fields.Selection(related="company_id.svc_billing_period", readonly=False)
    svc_billing_release_days = fields.Integer(related="company_id.svc_billing_release_days", readonly=False)
    svc_billing_responsible_id = fields.Many2one(
        related="company_id.svc_billing_responsible_id", readonly=False
    )
