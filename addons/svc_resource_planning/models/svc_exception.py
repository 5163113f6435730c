from odoo import fields, models


class SvcException(models.Model):
    """Staffing (conflicts with leave or capacity, the bench), timesheet, retainer and billing
    problems land in the shared exception queue."""

    _inherit = "svc.exception"

    category = fields.Selection(
        selection_add=[("staffing", "Staffing"), ("timesheet", "Timesheets"), ("billing", "Billing")],
        ondelete={"staffing": "set default", "timesheet": "set default", "billing": "set default"},
    )
