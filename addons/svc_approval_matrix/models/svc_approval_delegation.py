from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .svc_approval_request import ACTIVE_STATES

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
        delegations._svc_move_activities()
        return delegations

    def write(self, vals):
        """Only the delegator or a policy manager changes a delegation; one that starts, ends or
        changes hands moves the open to-dos with it and tells the delegate."""
        self._check_may_delegate_for(self.delegator_id)
        if "delegator_id" in vals:
            self._check_may_delegate_for(self.env["res.users"].browse(vals["delegator_id"]))
        if not {"delegator_id", "delegate_id", "date_from", "date_to", "active"} & set(vals):
            return super().write(vals)
        before = {(delegation.delegator_id, delegation.delegate_id) for delegation in self._svc_current()}
        result = super().write(vals)
        current = self._svc_current()
        self._svc_give_back(
            before - {(delegation.delegator_id, delegation.delegate_id) for delegation in current}
        )
        current._svc_move_activities()
        if vals.keys() & {"delegate_id", "date_from", "date_to", "active"}:
            self._svc_notify_delegate()
        return result

    def _svc_current(self):
        """These delegations that are in force today."""
        today = fields.Date.context_today(self)
        return self.filtered(
            lambda delegation: delegation.active and delegation.date_from <= today <= delegation.date_to
        )

    def unlink(self):
        self._check_may_delegate_for(self.delegator_id)
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
        activities = self._svc_open_todos(current.delegator_id)
        quick = activities.with_context(mail_activity_quick_update=True)
        for delegation in current:
            delegate = delegation.delegate_id
            mine = quick.filtered(
                lambda activity, delegation=delegation: (
                    activity.user_id == delegation.delegator_id
                    and activity.svc_approval_request_id.requester_id != delegation.delegate_id
                )
            )
            duplicate = mine.filtered(
                lambda activity, delegate=delegate: (
                    delegate in activity.svc_approval_request_id.approval_activity_ids.user_id
                )
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
        activities = self._svc_open_todos(
            self.env["res.users"].union(*(delegate for _delegator, delegate in pairs))
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
    def _svc_open_todos(self, users):
        """The to-dos of `users` on approval steps still waiting for a decision."""
        return (
            self.env["mail.activity"]
            .sudo()
            .search([("svc_approval_request_id.state", "in", ACTIVE_STATES), ("user_id", "in", users.ids)])
        )

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
        delegations = self._delegations_of(users, day)  # the latest start first (the model's order)
        return {user: delegations[user.id][:1].delegate_id for user in users if delegations[user.id]}

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

    @api.model
    def _delegations_of(self, users, day=None):
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
