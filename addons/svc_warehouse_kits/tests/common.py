from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.svc_ops_base.tests.common import SvcOpsCase


class MaterialRequestCase(SvcOpsCase):
    """A project run by a project manager, a requester, a warehouse manager, stock for some
    products, and the suite's three demo-like policies (the demo ones are archived)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.requester = new_test_user(
            cls.env, "mr_requester", groups="base.group_user,svc_warehouse_kits.group_kits_user"
        )
        cls.other_requester = new_test_user(
            cls.env, "mr_other", groups="base.group_user,svc_warehouse_kits.group_kits_user"
        )
        cls.project_manager = new_test_user(
            cls.env, "mr_pm", groups="base.group_user,project.group_project_user"
        )
        cls.wh_manager = new_test_user(
            cls.env,
            "mr_wh",
            groups="base.group_user,svc_warehouse_kits.group_kits_manager,stock.group_stock_manager",
        )
        cls.env.ref("svc_warehouse_kits.group_kits_manager").users -= cls.env.ref("base.user_admin")
        cls.project = cls.env["project.project"].create(
            {
                "name": "Rollout",
                "user_id": cls.project_manager.id,
                "partner_id": cls.env.ref("base.res_partner_2").id,
            }
        )
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        products = cls.env["product.product"]
        cls.laptop = products.create(
            {"name": "MR laptop", "detailed_type": "product", "tracking": "serial", "standard_price": 1500}
        )
        cls.dock = products.create({"name": "MR dock", "detailed_type": "product", "standard_price": 100})
        cls.cable = products.create({"name": "MR cable", "detailed_type": "consu", "standard_price": 2})
        cls.switch = products.create({"name": "MR switch", "detailed_type": "product", "standard_price": 200})
        quant = cls.env["stock.quant"]
        stock = cls.warehouse.lot_stock_id
        quant._update_available_quantity(cls.dock, stock, 2.0)
        cls.lots = cls.env["stock.lot"].create(
            [
                {"name": f"MR-LAP-{i}", "product_id": cls.laptop.id, "company_id": cls.env.company.id}
                for i in (1, 2)
            ]
        )
        for lot in cls.lots:
            quant._update_available_quantity(cls.laptop, stock, 1.0, lot_id=lot)

        model = cls.env["ir.model"]._get("svc.material.request")
        cls.env["svc.approval.policy"].search([("model_id", "=", model.id)]).active = False
        policies = cls.env["svc.approval.policy"]
        cls.policy_serialized = policies.create(
            {"name": "Serialized above 3,000", "model_id": model.id, "sequence": 1, "amount_min": 3000,
             "domain": "[('has_serialized', '=', True)]",
             "step_ids": [(0, 0, {"name": "Project manager", "approver_type": "record_field",
                                  "field_name": "project_manager_id"}),
                          (0, 0, {"name": "Warehouse manager", "approver_type": "group",
                                  "group_id": cls.env.ref("svc_warehouse_kits.group_kits_manager").id})]}
        )  # fmt: skip
        cls.policy_pm = policies.create(
            {"name": "Above 1,000", "model_id": model.id, "sequence": 2, "amount_min": 1000,
             "step_ids": [(0, 0, {"name": "Project manager", "approver_type": "record_field",
                                  "field_name": "project_manager_id"})]}
        )  # fmt: skip
        cls.policy_small = policies.create(
            {"name": "Small on active projects", "model_id": model.id, "sequence": 3, "amount_max": 1000,
             "domain": "[('project_id.active', '=', True)]"}
        )  # fmt: skip

    def _request(self, lines, user=None, days=7, **values):
        return (
            self.env["svc.material.request"]
            .with_user(user or self.requester)
            .create(dict({"project_id": self.project.id, "warehouse_id": self.warehouse.id,
                          "needed_date": fields.Date.today() + timedelta(days=days),
                          "line_ids": [(0, 0, {"product_id": p.id, "quantity": q}) for p, q in lines]}, **values))
        )  # fmt: skip
