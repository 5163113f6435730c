from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    svc_slip_horizon_days = fields.Integer(
        "Reservation Horizon (days)", default=14,
        help="A request needed later than this (its own date or its project's start) gives its reservation back.",
    )  # fmt: skip
    svc_loan_days = fields.Integer("Loan Period (days)", default=90)
    svc_urgent_window_days = fields.Integer("Urgent Request Window (days)", default=7)
    svc_urgent_repeat_threshold = fields.Integer("Urgent Requests Flagged From", default=3)
    svc_dispatch_threshold = fields.Monetary(
        "Dispatch Sign-off Above", default=2000.0, currency_field="currency_id",
        help="A request whose serialized items cost more than this needs its dispatch approved (by the "
        "Material Dispatch policies: a warehouse manager) before its transfer can be validated.",
    )  # fmt: skip


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    svc_slip_horizon_days = fields.Integer(related="company_id.svc_slip_horizon_days", readonly=False)
    svc_loan_days = fields.Integer(related="company_id.svc_loan_days", readonly=False)
    svc_urgent_window_days = fields.Integer(related="company_id.svc_urgent_window_days", readonly=False)
    svc_urgent_repeat_threshold = fields.Integer(
        related="company_id.svc_urgent_repeat_threshold", readonly=False
    )
