from odoo import models


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _svc_weekly_hours(self):
        """Working hours of an average week of this calendar (lunch breaks excluded)."""
        self.ensure_one()
        attendances = self.attendance_ids.filtered(
            lambda attendance: not attendance.display_type and attendance.day_period != "lunch"
        )
        hours = sum(attendance.hour_to - attendance.hour_from for attendance in attendances)
        return hours / 2 if self.two_weeks_calendar else hours
