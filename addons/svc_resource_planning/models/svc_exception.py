from odoo import fields, models


class SvcException(models.Model):
    """Staffing problems (conflicts with leave or capacity, the bench) land in the shared queue."""

    _inherit = "svc.exception"

    category = fields.Selection(
        selection_add=[("staffing", "Staffing")], ondelete={"staffing": "set default"}
    )
