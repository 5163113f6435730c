from odoo import fields, models


class SvcException(models.Model):
    """Procurement problems (unacknowledged orders, price variances) land in the shared queue."""

    _inherit = "svc.exception"

    category = fields.Selection(
        selection_add=[("procurement", "Procurement")], ondelete={"procurement": "set default"}
    )
