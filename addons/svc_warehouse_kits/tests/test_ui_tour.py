from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestMaterialRequestTour(HttpCase):
    """In a real browser: a requester builds a request by hand and from a kit (the wizard), and submits it."""

    def test_requester_submits_a_kit_request(self):
        requester = new_test_user(
            self.env, "tour_requester", groups="base.group_user,svc_warehouse_kits.group_kits_user"
        )
        self.env["project.project"].create({"name": "Tour Project"})
        dock = self.env["product.product"].create(
            {"name": "Tour Dock", "detailed_type": "product", "standard_price": 10}
        )
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        self.env["stock.quant"]._update_available_quantity(dock, warehouse.lot_stock_id, 5.0)
        cable = self.env["product.product"].create(
            {"name": "Tour Cable", "detailed_type": "consu", "standard_price": 1}
        )
        self.env["svc.kit"].create(
            {"name": "Tour Kit", "code": "TOUR", "line_ids": [(0, 0, {"product_id": dock.id, "quantity": 1}),
                                                              (0, 0, {"product_id": cable.id, "quantity": 4})]}
        )  # fmt: skip
        self.env["ir.default"].set(
            "svc.material.request", "needed_date", str(fields.Date.today() + timedelta(days=3))
        )
        self.start_tour(
            "/web#action=svc_warehouse_kits.action_svc_material_request_mine",
            "svc_material_request_submit",
            login=requester.login,
        )
        request = self.env["svc.material.request"].search([("requested_by_id", "=", requester.id)])
        self.assertEqual((request.state, request.availability), ("in_progress", "full"))
        self.assertEqual(
            [(line.product_id, line.quantity) for line in request.line_ids],
            [(dock, 4.0), (cable, 8.0)],
            "2 typed by hand + twice the kit's dock; twice the kit's 4 cables",
        )


@tagged("post_install", "-at_install")
class TestApprovalRouteTour(HttpCase):
    """In a real browser: the requester opens Approval Route on a draft request and reads who would approve."""

    def test_requester_reads_the_approval_route(self):
        requester = new_test_user(
            self.env, "tour_route_requester", groups="base.group_user,svc_warehouse_kits.group_kits_user"
        )
        approver = new_test_user(
            self.env, "tour_route_approver", name="Tour Route Approver", groups="base.group_user"
        )
        self.env["svc.approval.policy"].search([("model_name", "=", "svc.material.request")]).write(
            {"active": False}
        )
        self.env["svc.approval.policy"].create(
            {"name": "Tour Route Policy", "model_id": self.env["ir.model"]._get("svc.material.request").id,
             "step_ids": [(0, 0, {"name": "Review", "approver_type": "user", "user_ids": [(6, 0, approver.ids)]})]}
        )  # fmt: skip
        project = self.env["project.project"].create({"name": "Tour Route Project"})
        request = (
            self.env["svc.material.request"]
            .with_user(requester)
            .create({"project_id": project.id, "needed_date": fields.Date.today() + timedelta(days=3)})
        )
        self.start_tour(
            f"/web#model=svc.material.request&id={request.id}&view_type=form",
            "svc_approval_route_preview",
            login=requester.login,
        )
        self.assertEqual((request.state, request.approval_state), ("draft", "not_required"))
