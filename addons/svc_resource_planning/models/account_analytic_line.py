from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.svc_ops_base.models.rpc_args import text_argument

from .capacity_math import week_monday

# What an employee may not change on a validated timesheet line (system links such as
# the invoice reference stay writable, so invoicing validated time keeps working).
LOCKED_FIELDS = {"unit_amount", "employee_id", "project_id", "task_id", "so_line", "amount", "date", "name"}
RETAINER_FIELDS = {"unit_amount", "so_line", "task_id", "project_id"}
VALIDATION_FIELDS = {"svc_validated", "svc_validated_by_id", "svc_validated_on"}
APPROVER_GROUP = "hr_timesheet.group_hr_timesheet_approver"


class AccountAnalyticLine(models.Model):
    """Timesheets: a manager validates an employee's week, which locks it for the employee.

    Community-only and lightweight: three fields and Odoo's own ``_check_can_write`` /
    ``_is_readonly`` hooks; reopening a week is logged on the employee's chatter.
    """

    _inherit = "account.analytic.line"

    svc_validated = fields.Boolean("Validated", readonly=True, copy=False, index=True)
    svc_validated_by_id = fields.Many2one("res.users", "Validated By", readonly=True, copy=False)
    svc_validated_on = fields.Datetime("Validated On", readonly=True, copy=False)
    svc_write_off_request_id = fields.Many2one(
        "svc.service.request", "Written Off By", readonly=True, copy=False, index="btree_not_null",
        help="The approved write-off request that made this time not billable.",
    )  # fmt: skip

    # ------------------------------------------------------------------ hooks
    def _is_readonly(self):
        # computed as superuser (compute_sudo): ask the real user's groups
        return super()._is_readonly() or (self.svc_validated and not self.env.user.has_group(APPROVER_GROUP))

    def _check_can_write(self, values):
        # the actions' context flag alone is not enough: a client can send any context
        if VALIDATION_FIELDS & set(values) and not (
            self.env.su
            or (self.env.context.get("svc_timesheet_validation") and self._svc_is_timesheet_approver())
        ):
            raise UserError(_("Validate or reopen timesheets with the Validate Week / Reopen Week actions."))
        if LOCKED_FIELDS & set(values):
            self._svc_check_not_locked()
        return super()._check_can_write(values)

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(VALIDATION_FIELDS & set(vals) for vals in vals_list):
            raise UserError(
                _("New timesheets start unvalidated: a manager validates the week with Validate Week.")
            )
        lines = super().create(vals_list)
        timesheets = lines.filtered("project_id")
        if timesheets and not self._svc_is_timesheet_approver():
            timesheets._svc_check_week_open()
        timesheets._svc_retainer_guard({})
        return lines

    def write(self, values):
        before = {}
        if RETAINER_FIELDS & set(values):
            before = self._svc_hours_by_retainer()
        result = super().write(values)
        if {"date", "employee_id"} & set(values) and not self._svc_is_timesheet_approver():
            self.filtered("project_id")._svc_check_week_open()  # no moving time into a validated week
        if RETAINER_FIELDS & set(values):
            self._svc_retainer_guard(before)
        return result

    def unlink(self):
        self._svc_check_not_locked()
        return super().unlink()

    # --------------------------------------------------------------- actions
    @api.model
    def action_svc_validate_week(self, employee_ids, week_date):
        """Validate every timesheet line of these employees in the ISO week of `week_date`.

        Managers only (Timesheets: approver); nobody validates their own week. Returns the
        number of lines validated (RPC friendly).
        """
        lines = self._svc_week_lines(employee_ids, week_date)
        return lines.filtered(lambda line: not line.svc_validated).action_svc_validate()

    def action_svc_validate(self):
        """Validate these timesheet lines (the list action); returns how many were validated."""
        self._svc_check_manager(_("validate"))
        todo = self.filtered(lambda line: line.project_id and not line.svc_validated)
        todo.with_context(svc_timesheet_validation=True).write(
            {
                "svc_validated": True,
                "svc_validated_by_id": self.env.uid,
                "svc_validated_on": fields.Datetime.now(),
            }
        )
        return len(todo)

    @api.model
    def action_svc_reopen_week(self, employee_ids, week_date, reason):
        """Reopen a validated week so the employee can correct it; the reason is logged on the employee."""
        reason = text_argument(
            reason, _("Say why the week is reopened: the reason is logged on the employee.")
        )
        lines = self._svc_week_lines(employee_ids, week_date).filtered("svc_validated")
        self._svc_check_manager(_("reopen"), lines)
        if not lines:
            raise UserError(_("Nothing to reopen: no validated timesheet in the week of %s.", week_date))
        lines.with_context(svc_timesheet_validation=True).write(
            {"svc_validated": False, "svc_validated_by_id": False, "svc_validated_on": False}
        )
        monday = week_monday(fields.Date.to_date(week_date))
        for employee in lines.employee_id:
            employee.sudo().message_post(
                body=_(
                    "Timesheet week of %(week)s reopened by %(user)s (%(count)s lines): %(reason)s",
                    week=monday,
                    user=self.env.user.name,
                    count=len(lines.filtered(lambda line, emp=employee: line.employee_id == emp)),
                    reason=reason,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return len(lines)

    # -------------------------------------------------------------- business
    @api.model
    def _svc_is_timesheet_approver(self):
        return self.env.su or self.env.user.has_group(APPROVER_GROUP)

    def _svc_check_manager(self, verb, lines=None):
        if not self.env.user.has_group(APPROVER_GROUP):
            raise AccessError(_("Only timesheet approvers (managers) may %s a week of timesheets.", verb))
        own = (lines if lines is not None else self).filtered(lambda line: line.user_id == self.env.user)
        if own and not self.env.su:
            raise UserError(_("You cannot %s your own timesheets: your manager does.", verb))

    @api.model
    def _svc_week_lines(self, employee_ids, week_date):
        if not employee_ids:
            raise UserError(_("Choose at least one employee whose week to validate."))
        try:
            day = fields.Date.to_date(week_date)
        except (TypeError, ValueError) as error:
            raise UserError(
                _("%r is not a date: give any day of the week (YYYY-MM-DD).", week_date)
            ) from error
        if not day:
            raise UserError(_("Give a day of the week to validate (YYYY-MM-DD)."))
        monday = week_monday(day)
        return self.search(
            [
                ("employee_id", "in", list(employee_ids)),
                ("project_id", "!=", False),
                ("date", ">=", monday),
                ("date", "<=", monday + timedelta(days=6)),
            ]
        )

    def _svc_check_not_locked(self):
        if self._svc_is_timesheet_approver():
            return
        locked = self.filtered("svc_validated")
        if locked:
            line = locked[0]
            raise UserError(
                _(
                    "The timesheet of %(employee)s for %(date)s was validated by %(manager)s and is locked. "
                    "Ask your manager to reopen the week to correct it.",
                    employee=line.employee_id.name,
                    date=line.date,
                    manager=line.svc_validated_by_id.name,
                )
            )

    def _svc_check_week_open(self):
        """Refuse new time in a week whose timesheets were already validated (one query)."""
        weeks = defaultdict(set)
        for line in self:
            weeks[line.employee_id.id].add(week_monday(line.date))
        mondays = {monday for days in weeks.values() for monday in days}
        validated = self.sudo()._read_group(
            [
                ("employee_id", "in", list(weeks)),
                ("svc_validated", "=", True),
                ("date", ">=", min(mondays)),
                ("date", "<=", max(mondays) + timedelta(days=6)),
            ],
            ["employee_id", "date:day"],
        )
        for employee, day in validated:
            if week_monday(day) in weeks[employee.id]:
                raise UserError(
                    _(
                        "The week of %(week)s of %(employee)s is validated: no more time can be logged in it. "
                        "Ask your manager to reopen the week.",
                        week=week_monday(day),
                        employee=employee.name,
                    )
                )

    def _svc_hours_by_retainer(self):
        hours = defaultdict(float)
        for line in self.sudo():
            if line.project_id and line.so_line.svc_is_retainer:
                hours[line.so_line] += line.unit_amount
        return hours

    def _svc_retainer_guard(self, before):
        """At the crossing moment: refuse time on an exhausted retainer, notify thresholds."""
        after = self._svc_hours_by_retainer()
        if not after and not before:
            return
        retainers = self.env["sale.order.line"].sudo().concat(*set(after) | set(before))
        added = {line: after.get(line, 0.0) - before.get(line, 0.0) for line in retainers}
        retainers._svc_check_allowance(added)
        retainers._svc_notify_thresholds()
