from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SvcApprovalDelegation(models.Model):
    """While the delegator is away, the delegate decides in their name (logged "on behalf of")."""

    _name = "svc.approval.delegation"
    _description = "Approval Delegation"
    _order = "date_from desc, id desc"

    delegator_id = fields.Many2one(
        "res.users", "Delegator", required=True, index=True, default=lambda self: self.env.user
    )
    delegate_id = fields.Many2one("res.users", "Delegate", required=True, index=True)
    date_from = fields.Date("From", required=True, default=fields.Date.context_today)
    date_to = fields.Date("To", required=True)
    active = fields.Boolean(default=True)
    note = fields.Char()
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)

    @api.constrains("delegator_id", "delegate_id", "date_from", "date_to", "company_id")
    def _check_delegation(self):
        for delegation in self:
            outsiders = (delegation.delegator_id | delegation.delegate_id).filtered(
                lambda user, company=delegation.company_id: company not in user.company_ids
            )
            if outsiders:
                raise ValidationError(
                    _(
                        "%(users)s cannot decide for %(company)s (not a user of that company): "
                        "delegate to a user of the company.",
                        users=", ".join(outsiders.mapped("name")),
                        company=delegation.company_id.name,
                    )
                )
            if delegation.delegator_id == delegation.delegate_id:
                raise ValidationError(_("A user cannot delegate to themselves: choose another delegate."))
            if delegation.date_to < delegation.date_from:
                raise ValidationError(_("A delegation must end on or after the day it starts."))

    @api.model_create_multi
    def create(self, vals_list):
        delegations = super().create(vals_list)
        self.env["svc.approval.log"]._record(
            [
                {
                    "event": "delegated",
                    "res_model": delegation._name,
                    "res_id": delegation.id,
                    "on_behalf_of_id": delegation.delegator_id.id,
                    "comment": _(
                        "%(delegate)s decides for %(delegator)s from %(start)s to %(end)s",
                        delegate=delegation.delegate_id.name,
                        delegator=delegation.delegator_id.name,
                        start=delegation.date_from,
                        end=delegation.date_to,
                    ),
                    "company_id": delegation.company_id.id,
                }
                for delegation in delegations
            ]
        )
        return delegations

    @api.model
    def _delegators_of(self, user, day=None):
        """Users for whom `user` may decide today (their active delegations)."""
        day = day or fields.Date.context_today(self)
        delegations = self.sudo().search(
            [("delegate_id", "=", user.id), ("date_from", "<=", day), ("date_to", ">=", day)]
        )
        return delegations.delegator_id

    @api.model
    def _delegates_of(self, users, day=None):
        """{user id: their active delegations today} for `users`: who may decide in their place
        (the reverse of `_delegators_of`, one search for all of them)."""
        day = day or fields.Date.context_today(self)
        delegations = self.sudo().search(
            [("delegator_id", "in", users.ids), ("date_from", "<=", day), ("date_to", ">=", day)]
        )
        result = {user_id: self.browse() for user_id in users.ids}
        for delegation in delegations:
            result[delegation.delegator_id.id] |= delegation
        return result
