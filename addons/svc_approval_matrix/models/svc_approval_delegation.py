from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .svc_approval_request import ACTIVE_STATES


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
        delegations._svc_move_activities()
        return delegations

    def write(self, vals):
        """A delegation that starts, ends or changes hands moves the open to-dos with it."""
        if not {"delegator_id", "delegate_id", "date_from", "date_to", "active"} & set(vals):
            return super().write(vals)
        before = {(delegation.delegator_id, delegation.delegate_id) for delegation in self._svc_current()}
        result = super().write(vals)
        current = self._svc_current()
        self._svc_give_back(
            before - {(delegation.delegator_id, delegation.delegate_id) for delegation in current}
        )
        current._svc_move_activities()
        return result

    def _svc_current(self):
        """These delegations that are in force today."""
        today = fields.Date.context_today(self)
        return self.filtered(
            lambda delegation: delegation.active and delegation.date_from <= today <= delegation.date_to
        )

    def unlink(self):
        pairs = {(delegation.delegator_id, delegation.delegate_id) for delegation in self._svc_current()}
        result = super().unlink()
        self._svc_give_back(pairs)
        return result

    def _svc_move_activities(self):
        """Hand the open approval to-dos of the delegators to their delegates, for the delegations
        that are current today: the delegate now decides, so the to-do is theirs.

        A to-do stays with the delegator on a document the delegate requested (the requester
        never decides their own document), and is deleted where the delegate already has one
        for the same step (one to-do per person and step). Delegations that start on a later
        day are handled by the daily job (`_cron_move_activities`).
        """
        current = self._svc_current()
        if not current:
            return
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("svc_approval_request_id.state", "in", ACTIVE_STATES),
                    ("user_id", "in", current.delegator_id.ids),
                ]
            )
        )
        quick = activities.with_context(mail_activity_quick_update=True)
        for delegation in current:
            delegate = delegation.delegate_id
            mine = quick.filtered(
                lambda activity, delegation=delegation: activity.user_id == delegation.delegator_id
                and activity.svc_approval_request_id.requester_id != delegation.delegate_id
            )
            duplicate = mine.filtered(
                lambda activity, delegate=delegate: delegate
                in activity.svc_approval_request_id.approval_activity_ids.user_id
            )
            duplicate.unlink()
            if mine - duplicate:
                (mine - duplicate).write({"user_id": delegate.id})

    @api.model
    def _svc_give_back(self, pairs):
        """Give the open approval to-dos back to the delegators of the [(delegator, delegate)]
        pairs whose delegation is over (ended, archived, deleted or handed to someone else).

        The steps where the delegator still has to decide lose the delegate's to-do taken over
        for them (not one the delegate holds as an approver in their own right), then get their
        missing to-dos again (`_svc_open_activities`: the delegator's, or another current
        delegate's).
        """
        if not pairs:
            return
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("svc_approval_request_id.state", "in", ACTIVE_STATES),
                    ("user_id", "in", list({delegate.id for _delegator, delegate in pairs})),
                ]
            )
        )
        requests = self.env["svc.approval.request"].sudo()
        for activity in activities:
            request = activity.svc_approval_request_id
            undecided = request.approver_ids - request.approved_by_ids
            if any(delegate == activity.user_id and delegator in undecided for delegator, delegate in pairs):
                requests |= request
                if activity.user_id not in request.approver_ids:
                    activity.unlink()
        requests._svc_open_activities()

    @api.model
    def _cron_move_activities(self):
        """Daily: the delegations that start today take over their delegators' to-dos, those
        that ended yesterday give them back."""
        today = fields.Date.context_today(self)
        ended = self.search([("date_to", "=", today - timedelta(days=1))])
        self._svc_give_back({(delegation.delegator_id, delegation.delegate_id) for delegation in ended})
        self.search([("date_from", "<=", today), ("date_to", ">=", today)])._svc_move_activities()

    @api.model
    def _delegates_of(self, users, day=None):
        """{delegator: delegate} for those of `users` who are away on `day` (today by default);
        with several current delegations, the one that started last."""
        day = day or fields.Date.context_today(self)
        delegations = self.sudo().search(
            [("delegator_id", "in", users.ids), ("date_from", "<=", day), ("date_to", ">=", day)]
        )
        delegates = {}
        for delegation in delegations:
            delegates.setdefault(delegation.delegator_id, delegation.delegate_id)
        return delegates

    @api.model
    def _delegators_of(self, user, day=None):
        """Users for whom `user` may decide today (their active delegations)."""
        day = day or fields.Date.context_today(self)
        delegations = self.sudo().search(
            [("delegate_id", "=", user.id), ("date_from", "<=", day), ("date_to", ">=", day)]
        )
        return delegations.delegator_id
