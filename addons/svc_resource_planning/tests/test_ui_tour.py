from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestStaffingTour(HttpCase):
    """In a real browser: a resource manager opens a request, finds candidates, assigns one."""

    def test_resource_manager_assigns_the_best_candidate(self):
        manager = new_test_user(
            self.env,
            "tour_resource_manager",
            groups="base.group_user,svc_resource_planning.group_resource_manager,project.group_project_user",
        )
        self.env["svc.approval.policy"].search(
            [("model_name", "=", "svc.resource.allocation")]
        ).active = False
        skill_type = self.env["hr.skill.type"].create(
            {
                "name": "Tour skills",
                "skill_ids": [(0, 0, {"name": "Tour Modelling"})],
                "skill_level_ids": [(0, 0, {"name": "Expert", "level_progress": 90})],
            }
        )
        employee = self.env["hr.employee"].create({"name": "Tess Tour"})
        self.env["hr.employee.skill"].create(
            {"employee_id": employee.id, "skill_type_id": skill_type.id, "skill_id": skill_type.skill_ids.id,
             "skill_level_id": skill_type.skill_level_ids.id}
        )  # fmt: skip
        project = self.env["project.project"].create({"name": "Tour Clinic"})
        monday = fields.Date.today() + timedelta(weeks=3, days=-fields.Date.today().weekday())
        request = self.env["svc.staffing.request"].create(
            {
                "project_id": project.id,
                "line_ids": [
                    (0, 0, {"role": "Modeller", "hours_per_week": 16, "date_from": monday,
                            "date_to": monday + timedelta(days=11),
                            "skill_ids": [(0, 0, {"skill_type_id": skill_type.id, "skill_id": skill_type.skill_ids.id,
                                                  "min_level_id": skill_type.skill_level_ids.id})]}),
                ],
            }
        )  # fmt: skip
        request.action_submit()
        self.start_tour(
            "/web#action=svc_resource_planning.action_svc_staffing_request",
            "svc_staffing_assign",
            login=manager.login,
        )
        self.assertEqual(request.state, "staffed")
        self.assertEqual(request.line_ids.allocation_id.employee_id, employee)
        self.assertEqual(request.line_ids.allocation_id.state, "confirmed")
