from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError

from .billing_common import MONDAY, BillingCase


class TestTimesheetCompliance(BillingCase):
    """Logged / expected hours per employee-week against hand-computed figures (with a public
    holiday and validated leave); one reminder, one escalation a week later, no duplicates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee.work_email = "carl@svc-ops.example.com"
        cls.project = cls.env["project.project"].create({"name": "Internal Tools", "allow_timesheets": True})
        cls.task = cls.env["project.task"].create({"name": "Build", "project_id": cls.project.id})
        # a public holiday on Wednesday of week 1: 8 hours fewer expected
        cls.env["resource.calendar.leaves"].create({
            "name": "Founders' Day", "calendar_id": cls.calendar.id,
            "date_from": datetime(2026, 3, 4, 0, 0), "date_to": datetime(2026, 3, 4, 23, 59),
        })  # fmt: skip
        # validated leave on Thursday and Friday of week 2: 16 hours fewer expected
        leave_type = cls.env["hr.leave.type"].create(
            {
                "name": "Paid Time Off (test)",
                "requires_allocation": "no",
                "leave_validation_type": "no_validation",
            }
        )
        leave = cls.env["hr.leave"].create({
            "employee_id": cls.employee.id, "holiday_status_id": leave_type.id,
            "request_date_from": MONDAY + timedelta(days=10), "request_date_to": MONDAY + timedelta(days=11),
        })  # fmt: skip
        if leave.state != "validate":
            leave.action_validate()
        cls.Compliance = cls.env["svc.timesheet.compliance"]

    def _rows(self):
        return self.Compliance.search([("employee_id", "=", self.employee.id)], order="week_start")

    def test_figures_against_hand_computation(self):
        expected = self.Compliance._svc_expected_hours(self.employee, MONDAY, MONDAY + timedelta(days=14))
        self.assertEqual(expected[(self.employee.id, MONDAY)], 32.0, "40 h minus the 8 h holiday")
        self.assertEqual(
            expected[(self.employee.id, MONDAY + timedelta(days=7))], 24.0, "40 h minus 2 days of leave"
        )
        self._log(self.task, 28)
        self._log(self.task, 24, day=MONDAY + timedelta(days=7))
        self.assertEqual(
            self.Compliance.action_compute(MONDAY, MONDAY + timedelta(days=13), self.employee.ids), 2
        )
        week1, week2 = self._rows()
        self.assertEqual(
            (week1.expected_hours, week1.logged_hours, week1.rate, week1.state), (32, 28, 87.5, "below")
        )
        self.assertEqual(
            (week2.expected_hours, week2.logged_hours, week2.rate, week2.state), (24, 24, 100, "compliant")
        )
        self.assertEqual(week1.department_id, self.employee.department_id)
        [total] = self.Compliance.read_group([("employee_id", "=", self.employee.id)], ["rate"], [])
        self.assertAlmostEqual(
            total["rate"], 52 / 56 * 100, places=4, msg="the company rate is the ratio of sums"
        )
        self.assertAlmostEqual(
            self.Compliance.get_company_rate(MONDAY, MONDAY + timedelta(days=13)), round(52 / 56 * 100, 2)
        )

    def test_reminder_then_escalation_without_duplicates(self):
        self._log(self.task, 40, day=MONDAY - timedelta(days=7))  # the week before was complete
        self._log(self.task, 10)
        with freeze_time("2026-03-09 06:00:00"):
            self.Compliance._cron_check_compliance()
            self.Compliance._cron_check_compliance()  # twice: nobody notified twice
        before, row = self._rows()
        self.assertEqual((before.state, row.week_start, row.state), ("compliant", MONDAY, "below"))
        self.assertTrue(row.reminder_sent_at)
        reminders = self.env["mail.activity"].search(
            [
                ("res_model", "=", "hr.employee"),
                ("res_id", "=", self.employee.id),
                ("user_id", "=", self.consultant.id),
            ]
        )
        self.assertEqual(len(reminders), 1)
        self.assertIn("Complete your timesheets", reminders.summary)
        mails = self.env["mail.mail"].search([("model", "=", row._name), ("res_id", "=", row.id)])
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.email_to, "carl@svc-ops.example.com")
        self.assertFalse(
            self.env["svc.exception"].search([("res_model", "=", row._name), ("res_id", "=", row.id)])
        )

        with freeze_time("2026-03-16 06:00:00"):  # a week later, still below
            self.Compliance._cron_check_compliance()
            self.Compliance._cron_check_compliance()
        self.assertTrue(row.escalated_at)
        escalations = self.env["mail.activity"].search(
            [
                ("res_model", "=", "hr.employee"),
                ("res_id", "=", self.employee.id),
                ("user_id", "=", self.project_manager.id),
            ]
        )
        self.assertEqual(len(escalations), 1, "the manager is escalated to once")
        exception = self.env["svc.exception"].search([("res_model", "=", row._name), ("res_id", "=", row.id)])
        self.assertEqual((len(exception), exception.state, exception.category), (1, "open", "timesheet"))
        self.assertEqual(exception.owner_id, self.project_manager)
        self.assertEqual(
            len(mails.search([("model", "=", row._name), ("res_id", "=", row.id)])), 1, "no second reminder"
        )

        self._log(self.task, 22, day=MONDAY + timedelta(days=1))  # late entries bring it back
        self.Compliance.action_compute(MONDAY, MONDAY, self.employee.ids)
        self.assertEqual(row.state, "compliant")
        self.assertEqual(exception.state, "resolved")

    def test_one_reminder_per_employee_lists_the_weeks_below(self):
        self._log(self.task, 10)  # week 1: 10 of 32 hours
        self._log(self.task, 4, day=MONDAY + timedelta(days=7))  # week 2: 4 of 24 hours
        self.Compliance.action_compute(MONDAY, MONDAY + timedelta(days=7), self.employee.ids)
        rows = self._rows()
        self.assertEqual(rows.mapped("state"), ["below", "below"])
        self.assertTrue(all(rows.mapped("reminder_sent_at")))
        mails = self.env["mail.mail"].search([("model", "=", rows._name), ("res_id", "in", rows.ids)])
        self.assertEqual(len(mails), 1, "one email for the two weeks")
        self.assertIn(str(MONDAY), mails.body_html)
        self.assertIn(str(MONDAY + timedelta(days=7)), mails.body_html)
        self.assertTrue(mails.reply_to)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "hr.employee"), ("res_id", "=", self.employee.id), ("user_id", "=", self.consultant.id)]
        )  # fmt: skip
        self.assertEqual(len(activity), 1)
        self.assertIn(f"week of {MONDAY} (31% logged)", activity.summary)
        self.assertIn(f"week of {MONDAY + timedelta(days=7)} (17% logged)", activity.summary)
        self.assertEqual(activity.res_name, self.employee.name)
        self.Compliance.action_compute(MONDAY, MONDAY + timedelta(days=7), self.employee.ids)
        self.assertEqual(len(mails.search([("model", "=", rows._name), ("res_id", "in", rows.ids)])), 1)

    def test_queries_per_batch_do_not_grow_with_the_employees(self):
        employees = self.env["hr.employee"].create([
            {"name": f"Employee {index}", "resource_calendar_id": self.calendar.id, "tz": "UTC",
             "work_email": f"employee{index}@svc-ops.example.com", "parent_id": self.manager_employee.id}
            for index in range(6)
        ])  # fmt: skip
        self.env["account.analytic.line"].create([
            {"name": "work", "project_id": self.project.id, "employee_id": employee.id,
             "date": MONDAY + timedelta(weeks=week), "unit_amount": 4}
            for employee in employees for week in range(3, 6)
        ])  # fmt: skip

        def queries(batch, week):
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            monday = MONDAY + timedelta(weeks=week)
            self.Compliance.action_compute(monday, monday, batch.ids, batch_size=len(batch))
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        queries(employees, 3)  # warms the caches (templates, activity types, ir.model)
        self.assertEqual(queries(employees[:2], 4), queries(employees, 5))
        reminders = self.env["mail.mail"].search_count(
            [
                ("model", "=", "svc.timesheet.compliance"),
                ("email_to", "like", "employee%@svc-ops.example.com"),
            ]
        )
        self.assertEqual(reminders, 6 + 2 + 6, "one per employee below threshold in each run")

    def test_range_is_checked_and_rows_are_private(self):
        with self.refused(UserError, "end is on or after its start"):
            self.Compliance.action_compute(MONDAY, MONDAY - timedelta(days=1))
        other = self.env["hr.employee"].create(
            {"name": "Olga Other", "resource_calendar_id": self.calendar.id}
        )
        self.Compliance.action_compute(MONDAY, MONDAY, (self.employee | other).ids, notify=False)
        self.assertEqual(self.Compliance.with_user(self.consultant).search([]).employee_id, self.employee)
        self.assertEqual(len(self.Compliance.with_user(self.project_manager).search([])), 2)
