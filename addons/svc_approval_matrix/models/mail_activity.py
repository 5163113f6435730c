from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    svc_approval_request_id = fields.Many2one(
        "svc.approval.request",
        "Approval Step",
        readonly=True,
        index="btree_not_null",
        ondelete="cascade",
        help="The approval step this to-do asks to decide: it goes away when the step is decided.",
    )
