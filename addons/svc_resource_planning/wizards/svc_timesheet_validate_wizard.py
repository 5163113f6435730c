from odoo import _, fields, models


class SvcTimesheetValidateWizard(models.TransientModel):
    """Validate (or reopen) one ISO week of timesheets for the chosen employees."""

    _name = "svc.timesheet.validate.wizard"
    _description = "Validate a Week of Timesheets"

    employee_ids = fields.Many2many("hr.employee", string="Employees", required=True)
    week_date = fields.Date("Any Day of the Week", required=True, default=fields.Date.context_today)
    reason = fields.Char(help="Required to reopen a validated week; logged on each employee.")

    def action_validate(self):
        """Validate the week and say how many lines were validated."""
        self.ensure_one()
        count = self.env["account.analytic.line"].action_svc_validate_week(
            self.employee_ids.ids, self.week_date
        )
        return self._notify(_("%s timesheet lines validated.", count))

    def action_reopen(self):
        """Reopen the week (the reason is logged on the employees)."""
        self.ensure_one()
        count = self.env["account.analytic.line"].action_svc_reopen_week(
            self.employee_ids.ids, self.week_date, self.reason
        )
        return self._notify(_("%s timesheet lines reopened.", count))

    def _notify(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
