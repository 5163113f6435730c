from odoo import fields, models


class SvcException(models.Model):
    """Timesheet, retainer and billing problems land in the shared exception queue."""

    _inherit = "svc.exception"

    category = fields.Selection(
        selection_add=[("timesheet", "Timesheets"), ("billing", "Billing")],
        ondelete={"timesheet": "set default", "billing": "set default"},
    )
