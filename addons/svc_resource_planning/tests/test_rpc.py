import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestStaffingOverXmlRpc(HttpCase):
    """An integration client staffs a role over XML-RPC, and reads capacity."""

    def test_request_rank_assign_and_capacity_over_rpc(self):
        base = self.base_url()
        uid = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/common").authenticate(
            self.env.cr.dbname, "admin", "admin", {}
        )
        models = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/object", allow_none=True)

        def call(model, method, *args, **kwargs):
            return models.execute_kw(self.env.cr.dbname, uid, "admin", model, method, list(args), kwargs)

        skill_type = self.env["hr.skill.type"].create(
            {"name": "RPC skills", "skill_ids": [(0, 0, {"name": "RPC Wiring"})],
             "skill_level_ids": [(0, 0, {"name": "Expert", "level_progress": 90})]}
        )  # fmt: skip
        employee = self.env["hr.employee"].create({"name": "Rory Rpc"})
        self.env["hr.employee.skill"].create(
            {"employee_id": employee.id, "skill_type_id": skill_type.id, "skill_id": skill_type.skill_ids.id,
             "skill_level_id": skill_type.skill_level_ids.id}
        )  # fmt: skip
        project_id = call("project.project", "create", {"name": "RPC Project"})
        monday = fields.Date.today() + timedelta(weeks=6, days=-fields.Date.today().weekday())
        request_id = call(
            "svc.staffing.request",
            "create",
            {"project_id": project_id,
             "line_ids": [(0, 0, {"role": "Wirer", "hours_per_week": 8, "date_from": str(monday),
                                  "date_to": str(monday + timedelta(days=4)),
                                  "skill_ids": [(0, 0, {"skill_type_id": skill_type.id,
                                                        "skill_id": skill_type.skill_ids.id,
                                                        "min_level_id": skill_type.skill_level_ids.id})]})]},
        )  # fmt: skip
        self.assertIs(call("svc.staffing.request", "action_submit", [request_id]), True)
        self.assertIs(call("svc.staffing.request", "action_find_candidates", [request_id]), True)
        candidates = call(
            "svc.staffing.candidate", "search_read", [("request_id", "=", request_id)],
            fields=["rank", "employee_id", "reasons"], order="rank",
        )  # fmt: skip
        self.assertEqual(candidates[0]["employee_id"][0], employee.id)
        self.assertIn("has RPC Wiring at Expert", candidates[0]["reasons"])
        allocation_id = call("svc.staffing.candidate", "action_assign", [candidates[0]["id"]])
        [allocation] = call("svc.resource.allocation", "read", [allocation_id], ["state", "employee_id"])
        self.assertEqual(allocation["state"], "confirmed")
        rows = call(
            "svc.capacity.week", "get_capacity", [employee.id], str(monday), str(monday + timedelta(days=6))
        )
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["confirmed_hours"], 8.0)
        self.assertEqual(rows[0]["free_hours"], rows[0]["available_hours"] - 8.0)
        with self.assertRaisesRegex(xmlrpc.client.Fault, "YYYY-MM-DD"):
            call("svc.capacity.week", "get_capacity", [employee.id], "soon", "later")
