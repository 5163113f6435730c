from odoo import fields, models


class SvcException(models.Model):
    """Shortages, overdue loaners and repeated urgent requests land in the shared queue."""

    _inherit = "svc.exception"

    category = fields.Selection(
        selection_add=[("shortage", "Shortage"), ("loan", "Overdue Loan"), ("anomaly", "Anomaly")],
        ondelete={"shortage": "set default", "loan": "set default", "anomaly": "set default"},
    )
