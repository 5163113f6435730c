from odoo.tests import new_test_user

from odoo.addons.svc_ops_base.tests.common import SvcOpsCase


def setup_procurement(cls, policies=True):
    """Users with the real groups, three vendors of different risk, a catalog and a non-catalog
    product, and (optionally) the policies of the demo with the test's own thresholds.

    The purchase order policies already in the database (demo data) are archived, so that a
    test decides which rules apply.
    """
    env = cls.env
    env["svc.approval.policy"].search([("model_name", "=", "purchase.order")]).active = False
    # only the test's own people approve (admin, OdooBot and the demo users are in these groups)
    for group in (
        env.ref("svc_procurement_orchestration.group_procurement_manager"),
        env.ref("account.group_account_manager"),
    ):
        group.users = [(3, user.id) for user in group.users]
    cls.buyer = new_test_user(
        env, "svc_po_buyer", groups="base.group_user,svc_procurement_orchestration.group_procurement_user"
    )
    cls.purchasing_manager = new_test_user(
        env,
        "svc_po_manager",
        groups="base.group_user,svc_procurement_orchestration.group_procurement_manager",
    )
    cls.other_manager = new_test_user(
        env,
        "svc_po_manager_2",
        groups="base.group_user,svc_procurement_orchestration.group_procurement_manager",
    )
    cls.finance = new_test_user(env, "svc_po_finance", groups="base.group_user,account.group_account_manager")
    cls.manager_group = env.ref("svc_procurement_orchestration.group_procurement_manager")
    cls.finance_group = env.ref("account.group_account_manager")
    cls.low_vendor = env["res.partner"].create(
        {"name": "Test Office Supply", "is_company": True, "supplier_risk": "low", "ack_lead_hours": 24,
         "email": "orders@office.example.com"}
    )  # fmt: skip
    cls.high_vendor = env["res.partner"].create(
        {"name": "Test AV Systems", "is_company": True, "supplier_risk": "high", "ack_lead_hours": 72,
         "email": "projects@av.example.com"}
    )  # fmt: skip
    cls.catalog_product = env["product.product"].create(
        {"name": "Laptop", "detailed_type": "product", "standard_price": 900.0,
         "seller_ids": [(0, 0, {"partner_id": cls.low_vendor.id, "price": 1000.0}),
                        (0, 0, {"partner_id": cls.high_vendor.id, "price": 1000.0})]}
    )  # fmt: skip
    cls.non_catalog_product = env["product.product"].create(
        {"name": "Custom Rack", "detailed_type": "product", "standard_price": 300.0}
    )
    if policies:
        policy = env["svc.approval.policy"]
        model = env["ir.model"]._get("purchase.order")

        def step(name, group):
            return (0, 0, {"name": name, "approver_type": "group", "group_id": group.id, "sla_hours": 8})

        cls.policy_dual = policy.create(
            {"name": "Test: from 20,000", "sequence": 1, "model_id": model.id, "amount_min": 20000,
             "step_ids": [step("Purchasing manager", cls.manager_group), step("Finance", cls.finance_group)]}
        )  # fmt: skip
        cls.policy_high_risk = policy.create(
            {"name": "Test: high-risk supplier", "sequence": 2, "model_id": model.id,
             "domain": "[('supplier_risk', '=', 'high')]",
             "step_ids": [step("Purchasing manager (risk)", cls.manager_group)]}
        )  # fmt: skip
        cls.policy_non_catalog = policy.create(
            {"name": "Test: non-catalog", "sequence": 3, "model_id": model.id,
             "domain": "[('has_non_catalog_line', '=', True)]",
             "step_ids": [step("Purchasing manager (non-catalog)", cls.manager_group)]}
        )  # fmt: skip
        cls.policy_threshold = policy.create(
            {"name": "Test: from 5,000", "sequence": 4, "model_id": model.id, "amount_min": 5000,
             "step_ids": [step("Purchasing manager", cls.manager_group)]}
        )  # fmt: skip


class ProcurementCase(SvcOpsCase):
    """Buyers, purchasing managers and finance with the real groups; vendors, products, policies."""

    with_policies = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup_procurement(cls, policies=cls.with_policies)

    def _order(self, vendor=None, product=None, qty=1, price=1000.0, user=None):
        """A draft purchase order created by the buyer (or `user`)."""
        return (
            self.env["purchase.order"]
            .with_user(user or self.buyer)
            .create(
                {
                    "partner_id": (vendor or self.low_vendor).id,
                    "order_line": [
                        (0, 0, {"product_id": (product or self.catalog_product).id, "product_qty": qty,
                                "price_unit": price})
                    ],
                }
            )
        )  # fmt: skip
