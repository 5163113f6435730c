from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


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

    @api.constrains("svc_overallocation_threshold", "svc_late_stage_probability")
    def _check_svc_resource_percentages(self):
        for company in self:
            if not 0 < company.svc_overallocation_threshold <= 500:
                raise ValidationError(_("The over-allocation threshold is a percentage between 1 and 500."))
            if not 0 < company.svc_late_stage_probability <= 100:
                raise ValidationError(_("The late-stage probability is a percentage between 1 and 100."))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    svc_overallocation_threshold = fields.Float(
        related="company_id.svc_overallocation_threshold", readonly=False
    )
    svc_late_stage_probability = fields.Float(related="company_id.svc_late_stage_probability", readonly=False)
