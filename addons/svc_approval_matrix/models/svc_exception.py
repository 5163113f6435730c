from odoo import fields, models


class SvcException(models.Model):
    """Approval problems (escalations, emergency reviews) land in the shared exception queue."""

    _inherit = "svc.exception"

    category = fields.Selection(
        selection_add=[("approval", "Approval")], ondelete={"approval": "set default"}
    )
