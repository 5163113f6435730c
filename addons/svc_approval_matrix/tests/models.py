"""A governed document that exists only while the engine's tests run (FakeModelLoader)."""

from odoo import fields, models


class SvcApprovalTestDocument(models.Model):
    _name = "svc.approval.test.document"
    _description = "Governed Test Document"
    _inherit = ["mail.thread", "mail.activity.mixin", "svc.approval.mixin"]

    name = fields.Char(required=True)
    amount = fields.Float()
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done"), ("cancelled", "Cancelled")], default="draft"
    )
    manager_id = fields.Many2one("res.users")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    approved_calls = fields.Integer()
    rejection_reason = fields.Char()

    def _svc_approval_amount(self):
        return self.amount

    def _svc_approval_governed_fields(self):
        return {"manager_id"}

    def _svc_on_approved(self):
        for document in self:
            document.approved_calls += 1

    def _svc_on_rejected(self, reason):
        self.write({"rejection_reason": reason, "state": "cancelled"})

    def action_done(self):
        self._svc_approval_check()
        self.write({"state": "done"})
        return True


class SvcApprovalPlainDocument(models.Model):
    """A governed document without chatter nor activities: its approvers get no to-do."""

    _name = "svc.approval.test.plain"
    _description = "Governed Test Document Without Activities"
    _inherit = ["svc.approval.mixin"]

    name = fields.Char(required=True)
    amount = fields.Float()
    manager_id = fields.Many2one("res.users")

    def _svc_approval_amount(self):
        return self.amount
