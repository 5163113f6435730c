from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common import W10, W11, ResourcePlanningCase


class TestCapacity(ResourcePlanningCase):
    """Capacity per employee and ISO week against figures computed by hand."""

    def _week(self, employee, monday, date_from=W10, date_to=date(2026, 3, 15)):
        capacity = self.env["svc.capacity.week"]._compute_capacity(employee, date_from, date_to)
        return capacity[employee.id][monday]

    def test_full_time_week_with_public_holiday_and_two_overlapping_allocations(self):
        # confirmed 20 h/week over both weeks; tentative 16 h/week Wednesday 4 to Tuesday 10 March
        self._allocate(self.ann, W10, date(2026, 3, 13), 20, state="confirmed")
        self._allocate(self.ann, date(2026, 3, 4), date(2026, 3, 10), 16)
        week = self._week(self.ann, W10)
        # 5 days x 8 h = 40 h, less Thursday's holiday 8 h = 32 h
        self.assertEqual(week["holiday_hours"], 8.0)
        self.assertEqual(week["available_hours"], 32.0)
        self.assertEqual(week["confirmed_hours"], 20.0)
        self.assertEqual(week["tentative_hours"], 9.6)  # 3 of 5 working days x 16 h
        self.assertEqual(week["free_hours"], 2.4)  # 32 - 20 - 9.6
        self.assertEqual(week["utilization"], 0.625)  # 20 / 32
        week = self._week(self.ann, W11)
        self.assertEqual((week["available_hours"], week["holiday_hours"]), (40.0, 0.0))
        self.assertEqual((week["confirmed_hours"], week["tentative_hours"]), (20.0, 6.4))
        self.assertEqual(week["free_hours"], 13.6)

    def test_part_time_employee_holiday_on_a_day_off(self):
        week = self._week(self.bob, W10)
        # Monday to Wednesday 8 h: 24 h; Thursday's holiday is not a working day for Bob
        self.assertEqual(week["available_hours"], 24.0)
        self.assertEqual(week["holiday_hours"], 0.0)
        self._allocate(self.bob, W10, date(2026, 3, 6), 12, state="confirmed")
        week = self._week(self.bob, W10)
        self.assertEqual((week["free_hours"], week["utilization"]), (12.0, 0.5))

    def test_validated_leave_is_deducted_pending_leave_is_its_own_figure(self):
        self._leave(self.ann, date(2026, 3, 9), date(2026, 3, 9), validate=True)  # Monday
        pending = self._leave(self.ann, date(2026, 3, 10), date(2026, 3, 11))  # Tuesday, Wednesday
        self.assertEqual(pending.state, "confirm")
        week = self._week(self.ann, W11)
        self.assertEqual(week["leave_hours"], 8.0)
        self.assertEqual(week["available_hours"], 32.0)
        self.assertEqual(week["tentative_leave_hours"], 16.0)
        self.assertEqual(week["free_hours"], 32.0)  # pending leave is a risk, not a deduction

    def test_window_edges_count_only_the_days_inside(self):
        capacity = self.env["svc.capacity.week"]._compute_capacity(
            self.ann, date(2026, 3, 4), date(2026, 3, 10)
        )
        self.assertEqual(capacity[self.ann.id][W10]["available_hours"], 16.0)  # Wed + Fri (Thu is a holiday)
        self.assertEqual(capacity[self.ann.id][W11]["available_hours"], 16.0)  # Mon + Tue

    def test_get_capacity_over_rpc_as_project_manager(self):
        self._allocate(self.ann, W10, date(2026, 3, 13), 20, state="confirmed")
        rows = (
            self.env["svc.capacity.week"]
            .with_user(self.project_manager)
            .get_capacity([self.ann.id, self.bob.id], "2026-03-02", "2026-03-15")
        )
        self.assertEqual(
            [(row["employee"], row["week"], row["available_hours"], row["confirmed_hours"]) for row in rows],
            [("Ann Architect", "2026-W10", 32.0, 20.0), ("Ann Architect", "2026-W11", 40.0, 20.0),
             ("Bob Parttime", "2026-W10", 24.0, 0.0), ("Bob Parttime", "2026-W11", 24.0, 0.0)],
        )  # fmt: skip
        self.assertEqual(rows[0]["week_start"], "2026-03-02")

    def test_get_capacity_refuses_malformed_input(self):
        model = self.env["svc.capacity.week"].with_user(self.project_manager)
        with self.assertRaisesRegex(UserError, "YYYY-MM-DD"):
            model.get_capacity([self.ann.id], "next monday", "2026-03-15")
        with self.assertRaisesRegex(UserError, "before the start date"):
            model.get_capacity([self.ann.id], "2026-03-15", "2026-03-02")
        with self.assertRaisesRegex(UserError, "list of employee ids"):
            model.get_capacity("all", "2026-03-02", "2026-03-15")
        with self.assertRaisesRegex(UserError, "two years"):
            model.get_capacity([self.ann.id], "2026-01-01", "2029-01-01")

    def test_report_rows_are_refreshed_in_place_and_read_only(self):
        Capacity = self.env["svc.capacity.week"]
        self.assertEqual(Capacity._refresh(self.ann | self.bob, W10, date(2026, 3, 15)), 4)
        self._allocate(self.ann, W10, date(2026, 3, 13), 40, state="confirmed")
        Capacity._refresh(self.ann | self.bob, W10, date(2026, 3, 15))
        rows = Capacity.with_user(self.project_manager).search(
            [("employee_id", "in", (self.ann | self.bob).ids)], order="employee_id, week_start"
        )
        self.assertEqual(len(rows), 4)
        ann_w10 = rows.filtered(lambda row: row.employee_id == self.ann and row.week_start == W10)
        self.assertEqual((ann_w10.confirmed_hours, ann_w10.is_over_allocated), (40.0, True))
        bob_w10 = rows.filtered(lambda row: row.employee_id == self.bob and row.week_start == W10)
        self.assertTrue(bob_w10.is_bench)
        with self.assertRaises(AccessError):
            ann_w10.with_user(self.project_manager).write({"available_hours": 99})
        with self.assertRaises(AccessError):
            ann_w10.with_user(self.resource_manager).unlink()

    def test_capacity_of_many_employees_takes_a_fixed_number_of_queries(self):
        employees = self.ann | self.bob
        for index in range(10):
            employees |= self._employee(
                f"Consultant {index}", self.full_time if index % 2 else self.part_time
            )
        Capacity = self.env["svc.capacity.week"]
        Capacity._compute_capacity(employees[:2], W10, date(2026, 5, 31))  # warm caches
        employees.invalidate_recordset()
        with self.assertQueryCount(12):
            Capacity._compute_capacity(employees, W10, date(2026, 5, 31))

    def test_staffed_departments_limit_what_a_planner_sees(self):
        design, build = self.env["hr.department"].create([{"name": "Test Design"}, {"name": "Test Build"}])
        self.ann.department_id = design
        self.bob.department_id = build
        Capacity = self.env["svc.capacity.week"]
        Capacity._refresh(self.ann | self.bob, W10, date(2026, 3, 8))
        self._allocate(self.ann, W10, date(2026, 3, 6), 8)
        self._allocate(self.bob, W10, date(2026, 3, 6), 8)
        domain = [("employee_id", "in", (self.ann | self.bob).ids)]
        self.assertEqual(len(Capacity.with_user(self.project_manager).search(domain)), 2)
        self.project_manager.svc_staffing_department_ids = design
        self.assertEqual(Capacity.with_user(self.project_manager).search(domain).employee_id, self.ann)
        allocations = self.env["svc.resource.allocation"].with_user(self.project_manager).search(domain)
        self.assertEqual(allocations.employee_id, self.ann)

    def test_capacity_and_bench_menus_refresh_and_open_for_every_planner(self):
        """The menus run server actions; Odoo runs one only for users with write access to its
        model unless it carries groups: nobody writes the report, so the group decides."""
        Capacity = self.env["svc.capacity.week"]
        today = fields.Date.today()
        monday = today - timedelta(days=today.weekday())
        self._allocate(self.ann, monday, monday + timedelta(days=4), 10, state="confirmed")
        self._leave(self.ann, monday + timedelta(days=1), monday + timedelta(days=1), validate=True)
        stranger = new_test_user(self.env, "svc_rp_stranger", groups="base.group_user")
        for xmlid, action_xmlid in (
            (
                "svc_resource_planning.action_server_svc_capacity",
                "svc_resource_planning.action_svc_capacity_week",
            ),
            (
                "svc_resource_planning.action_server_svc_bench",
                "svc_resource_planning.action_svc_capacity_bench",
            ),
        ):
            server_action = self.env.ref(xmlid)
            for user in (self.resource_manager, self.delivery_lead, self.project_manager):
                Capacity.search([]).unlink()
                action = server_action.with_user(user).run()
                self.assertEqual(action["id"], self.env.ref(action_xmlid).id, user.login)
                row = Capacity.with_user(user).search(
                    [("employee_id", "=", self.ann.id), ("week_start", "=", monday)]
                )
                self.assertEqual(row.confirmed_hours, 10.0, f"{user.login}: refreshed before opening")
            with self.assertRaises(AccessError):
                server_action.with_user(stranger).run()
        # the project manager sees the hours the leave takes, never the leave itself
        row = Capacity.with_user(self.project_manager).search(
            [("employee_id", "=", self.ann.id), ("week_start", "=", monday)]
        )
        self.assertEqual(row.leave_hours, 8.0)
        self.assertFalse(
            self.env["hr.leave"].with_user(self.project_manager).search([("employee_id", "=", self.ann.id)])
        )
