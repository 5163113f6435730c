from datetime import date, datetime

from odoo.tests import new_test_user

from odoo.addons.svc_ops_base.tests.common import SvcOpsCase

# ISO week 10 of 2026 is Monday 2 March to Sunday 8 March; week 11 starts on Monday 9 March.
W10 = date(2026, 3, 2)
W11 = date(2026, 3, 9)


class ResourcePlanningCase(SvcOpsCase):
    """A small consultancy: a full-time and a part-time consultant (UTC), a public holiday,
    leave types with and without validation, skills with levels, a project, real users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.svc_overallocation_threshold = 85.0
        # the tests bring their own policy: the demo one must not decide for them
        cls.env["svc.approval.policy"].search([("model_name", "=", "svc.resource.allocation")]).active = False
        cls.resource_manager = new_test_user(
            cls.env,
            "svc_rp_manager",
            groups="base.group_user,svc_resource_planning.group_resource_manager,project.group_project_user",
        )
        cls.project_manager = new_test_user(
            cls.env,
            "svc_rp_pm",
            groups="base.group_user,svc_resource_planning.group_resource_user,project.group_project_manager",
        )
        cls.delivery_lead = new_test_user(
            cls.env, "svc_rp_lead", groups="base.group_user,svc_resource_planning.group_resource_user"
        )
        cls.full_time = cls.env["resource.calendar"].create(
            {
                "name": "Test 40 h",
                "tz": "UTC",
                "attendance_ids": [
                    (0, 0, {"name": f"Day {day} {period}", "dayofweek": str(day), "hour_from": start,
                            "hour_to": end, "day_period": period})
                    for day in range(5)
                    for start, end, period in ((8, 12, "morning"), (13, 17, "afternoon"))
                ],
            }
        )  # fmt: skip
        cls.part_time = cls.env["resource.calendar"].create(
            {
                "name": "Test 24 h (Mon-Wed)",
                "tz": "UTC",
                "attendance_ids": [
                    (0, 0, {"name": f"Day {day} {period}", "dayofweek": str(day), "hour_from": start,
                            "hour_to": end, "day_period": period})
                    for day in range(3)
                    for start, end, period in ((8, 12, "morning"), (13, 17, "afternoon"))
                ],
            }
        )  # fmt: skip
        cls.ann = cls._employee("Ann Architect", cls.full_time)
        cls.bob = cls._employee("Bob Parttime", cls.part_time)
        cls.project = cls.env["project.project"].create(
            {"name": "Clinic ERP", "user_id": cls.project_manager.id}
        )
        # Thursday 5 March 2026: a public holiday for the whole company (all calendars)
        cls.holiday = cls.env["resource.calendar.leaves"].create(
            {
                "name": "Founders' Day",
                "company_id": cls.company.id,
                "calendar_id": False,
                "resource_id": False,
                "date_from": datetime(2026, 3, 5, 0, 0),
                "date_to": datetime(2026, 3, 5, 23, 59, 59),
            }
        )
        cls.leave_type = cls.env["hr.leave.type"].create(
            {"name": "Test Paid Time Off", "requires_allocation": "no", "leave_validation_type": "hr",
             "time_type": "leave", "request_unit": "day"}
        )  # fmt: skip
        cls.skill_type = cls.env["hr.skill.type"].create(
            {
                "name": "Test Consulting",
                "skill_ids": [(0, 0, {"name": "Odoo Development"}), (0, 0, {"name": "Project Management"})],
                "skill_level_ids": [
                    (0, 0, {"name": "Beginner", "level_progress": 20}),
                    (0, 0, {"name": "Intermediate", "level_progress": 50}),
                    (0, 0, {"name": "Expert", "level_progress": 90}),
                ],
            }
        )
        cls.skill_dev, cls.skill_pm = cls.skill_type.skill_ids.sorted("id")
        cls.level = {level.name: level for level in cls.skill_type.skill_level_ids}

    @classmethod
    def _employee(cls, name, calendar, **values):
        return cls.env["hr.employee"].create(
            dict({"name": name, "resource_calendar_id": calendar.id, "tz": "UTC", "company_id": cls.env.company.id},
                 **values)
        )  # fmt: skip

    @classmethod
    def _skill(cls, employee, skill, level_name):
        return cls.env["hr.employee.skill"].create(
            {"employee_id": employee.id, "skill_type_id": cls.skill_type.id, "skill_id": skill.id,
             "skill_level_id": cls.level[level_name].id}
        )  # fmt: skip

    def _leave(self, employee, day_from, day_to, validate=False):
        leave = self.env["hr.leave"].create(
            {
                "name": "Family matters",
                "employee_id": employee.id,
                "holiday_status_id": self.leave_type.id,
                "request_date_from": day_from,
                "request_date_to": day_to,
            }
        )
        if validate:
            leave.action_validate()
        return leave

    def _allocate(self, employee, date_from, date_to, hours=None, state="tentative", user=None, **values):
        allocation = (
            self.env["svc.resource.allocation"]
            .with_user(user or self.resource_manager)
            .create(
                dict(
                    {"employee_id": employee.id, "project_id": self.project.id, "date_from": date_from,
                     "date_to": date_to, **({"hours_per_week": hours} if hours is not None else {})},
                    **values,
                )
            )
        )  # fmt: skip
        if state == "confirmed":
            allocation.action_confirm()
        return allocation

    @classmethod
    def _policy(cls):
        """Over-allocation policy: resource operations, then delivery leadership."""
        self = cls
        return self.env["svc.approval.policy"].create(
            {
                "name": "Test over-allocation",
                "model_id": self.env["ir.model"]._get("svc.resource.allocation").id,
                "domain": "[('is_over_threshold', '=', True)]",
                "step_ids": [
                    (0, 0, {"name": "Resource operations", "approver_type": "group",
                            "group_id": self.env.ref("svc_resource_planning.group_resource_manager").id}),
                    (0, 0, {"name": "Delivery leadership", "approver_type": "user",
                            "user_ids": [(6, 0, self.delivery_lead.ids)]}),
                ],
            }
        )  # fmt: skip
