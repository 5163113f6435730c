from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SvcApprovalStep(models.Model):
    """One stage of a policy: who approves, how many distinct people, how fast."""

    _name = "svc.approval.step"
    _description = "Approval Step"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one("svc.approval.policy", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    approver_type = fields.Selection(
        [
            ("user", "Specific Users"),
            ("group", "Members of a Group"),
            ("requester_manager", "Requester's Manager"),
            ("record_field", "User on the Document"),
        ],
        required=True,
        default="user",
    )
    user_ids = fields.Many2many("res.users", string="Approvers")
    group_id = fields.Many2one("res.groups", "Approver Group")
    field_name = fields.Char(help="Technical name of a user field on the document, e.g. user_id.")
    min_approvals = fields.Integer(
        "Approvals Needed", default=1, help="Distinct people who must approve: 2 means dual approval."
    )
    sla_hours = fields.Float("SLA (hours)", default=24.0)
    escalation_user_ids = fields.Many2many(
        "res.users", "svc_approval_step_escalation_user_rel", "step_id", "user_id", string="Escalate To"
    )
    escalation_group_id = fields.Many2one("res.groups", "Escalate To Group")
    company_id = fields.Many2one(related="policy_id.company_id", store=True)

    @api.constrains("approver_type", "user_ids", "group_id", "field_name", "min_approvals")
    def _check_approvers(self):
        for step in self:
            if step.min_approvals < 1:
                raise ValidationError(_("Step %s needs at least one approval.", step.name))
            if step.approver_type == "user" and not step.user_ids:
                raise ValidationError(_("Step %s: choose the approving users.", step.name))
            if step.approver_type == "group" and not step.group_id:
                raise ValidationError(_("Step %s: choose the approving group.", step.name))
            if step.approver_type == "record_field":
                model = self.env[step.policy_id.model_name]
                field = model._fields.get(step.field_name or "")
                if not field or field.type != "many2one" or field.comodel_name != "res.users":
                    raise ValidationError(
                        _(
                            "Step %(step)s: %(field)s is not a user field of %(model)s.",
                            step=step.name,
                            field=step.field_name,
                            model=model._description,
                        )
                    )

    @api.constrains("user_ids", "escalation_user_ids")
    def _check_approver_companies(self):
        """A user who cannot open the policy's company cannot decide its documents."""
        for step in self:
            outsiders = (step.user_ids | step.escalation_user_ids).filtered(
                lambda user, company=step.company_id: company not in user.company_ids
            )
            if step.company_id and outsiders:
                raise ValidationError(
                    _(
                        "Step %(step)s: %(users)s cannot approve for %(company)s (not a user of that company). "
                        "Give them access to the company first, or choose other approvers.",
                        step=step.name,
                        users=", ".join(outsiders.mapped("name")),
                        company=step.company_id.name,
                    )
                )

    def _resolve_approvers(self, document, requester):
        """The users who may decide this step for `document`: never the requester (SoD),
        never a user who cannot open the document's company (a group spans companies)."""
        self.ensure_one()
        if self.approver_type == "user":
            users = self.user_ids
        elif self.approver_type == "group":
            users = self.group_id.users
        elif self.approver_type == "record_field":
            users = document[self.field_name]
        else:
            users = self._requester_manager(requester)
        company = document._svc_approval_company()
        return (
            users.filtered(lambda user: user.active and not user.share and company in user.company_ids)
            - requester
        )

    def _escalation_users(self, company=None):
        """Who an overdue step escalates to: active users of `company` (the step's by default)."""
        self.ensure_one()
        company = company or self.company_id
        return (self.escalation_user_ids | self.escalation_group_id.users).filtered(
            lambda user: user.active and (not company or company in user.company_ids)
        )

    @api.model
    def _requester_manager(self, requester):
        """The requester's manager through HR when it is installed (the engine needs no HR)."""
        if "employee_ids" not in requester._fields:
            return requester.browse()
        return requester.employee_ids[:1].parent_id.user_id
