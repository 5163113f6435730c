from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

MANAGER_GROUP = "svc_approval_matrix.group_approval_manager"


class SvcApprovalDelegation(models.Model):
    """While the delegator is away, the delegate decides in their name (logged "on behalf of").

    Authority comes from who holds it: a delegation is set up by its delegator (for their
    own absence) or by a policy manager, never by the delegate. The delegate is told, and
    the chatter and the approval log say who set it up.
    """

    _name = "svc.approval.delegation"
    _description = "Approval Delegation"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"

    delegator_id = fields.Many2one(
        "res.users", "Delegator", required=True, index=True, tracking=True,
        default=lambda self: self.env.user,
    )  # fmt: skip
    delegate_id = fields.Many2one("res.users", "Delegate", required=True, index=True, tracking=True)
    date_from = fields.Date("From", required=True, default=fields.Date.context_today, tracking=True)
    date_to = fields.Date("To", required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Char()
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)

    @api.constrains("delegator_id", "delegate_id", "date_from", "date_to")
    def _check_delegation(self):
        for delegation in self:
            if delegation.delegator_id == delegation.delegate_id:
                raise ValidationError(_("A user cannot delegate to themselves: choose another delegate."))
            if delegation.date_to < delegation.date_from:
                raise ValidationError(_("A delegation must end on or after the day it starts."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_may_delegate_for(
                self.env["res.users"].browse(vals.get("delegator_id") or self.env.uid)
            )
        delegations = super().create(vals_list)
        self.env["svc.approval.log"]._record(
            [
                {
                    "event": "delegated",
                    "res_model": delegation._name,
                    "res_id": delegation.id,
                    "on_behalf_of_id": delegation.delegator_id.id,
                    "comment": delegation._svc_summary(),
                    "company_id": delegation.company_id.id,
                }
                for delegation in delegations
            ]
        )
        delegations._svc_notify_delegate()
        return delegations

    def write(self, vals):
        self._check_may_delegate_for(self.delegator_id)
        if "delegator_id" in vals:
            self._check_may_delegate_for(self.env["res.users"].browse(vals["delegator_id"]))
        res = super().write(vals)
        if vals.keys() & {"delegate_id", "date_from", "date_to", "active"}:
            self._svc_notify_delegate()
        return res

    def unlink(self):
        self._check_may_delegate_for(self.delegator_id)
        return super().unlink()

    def _check_may_delegate_for(self, delegators):
        """Only the delegator themselves or a policy manager hands over a delegator's authority."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        others = delegators - self.env.user
        if others:
            self.env["svc.approval.log"]._record_autonomous(
                [
                    {
                        "event": "denied",
                        "res_model": self._name,
                        "res_id": self.filtered(lambda rec, who=delegator: rec.delegator_id == who)[:1].id,
                        "user_id": self.env.uid,
                        "on_behalf_of_id": delegator.id,
                        "comment": _("only the delegator or a Policy Manager may delegate their approvals"),
                        "company_id": self.env.company.id,
                    }
                    for delegator in others
                ]
            )
            raise AccessError(
                _(
                    "Only %(who)s or a Policy Manager may delegate %(who)s's approvals: a delegate "
                    "cannot appoint themselves. Ask %(who)s or a Policy Manager to set up the delegation.",
                    who=", ".join(others.mapped("name")),
                )
            )

    def _svc_summary(self):
        self.ensure_one()
        return _(
            "%(delegate)s decides for %(delegator)s from %(start)s to %(end)s (set up by %(author)s)",
            delegate=self.delegate_id.name,
            delegator=self.delegator_id.name,
            start=self.date_from,
            end=self.date_to,
            author=self.env.user.name,
        )

    def _svc_notify_delegate(self):
        """Tell the delegate, in their inbox, for whom they now decide and who set it up."""
        for delegation in self:
            delegation.message_post(body=delegation._svc_summary(), message_type="notification")
            delegation.sudo().message_notify(
                partner_ids=delegation.delegate_id.partner_id.ids,
                subject=_("You decide approvals for %s", delegation.delegator_id.name),
                body=delegation._svc_summary(),
            )

    @api.model
    def _delegators_of(self, user, day=None):
        """Users for whom `user` may decide today (their active delegations)."""
        day = day or fields.Date.context_today(self)
        delegations = self.sudo().search(
            [("delegate_id", "=", user.id), ("date_from", "<=", day), ("date_to", ">=", day)]
        )
        return delegations.delegator_id
