from datetime import timedelta

from odoo.tests import HttpCase, tagged

from .billing_common import MONDAY
from .test_billing_readiness import ReadinessCase


@tagged("post_install", "-at_install")
class TestBillingReadinessTour(HttpCase, ReadinessCase):
    """In a real browser: finance sees why an order is blocked and releases a ready one."""

    def test_finance_releases_a_ready_order(self):
        self.readiness.action_check()
        initech = self.env["res.partner"].create({"name": "Initech"})
        order = self.env["sale.order"].create({
            "partner_id": initech.id, "user_id": self.account_manager.id,
            "order_line": [(0, 0, {"product_id": self.retainer_product.id, "product_uom_qty": 10})],
        })  # fmt: skip
        order.action_confirm()
        project = order.order_line.project_id
        self.env["project.milestone"].create(
            {"name": "Go-live", "project_id": project.id, "deadline": MONDAY + timedelta(days=2)}
        )
        blocked = self.env["svc.billing.readiness"].create(
            {"sale_order_id": order.id, "period_start": MONDAY, "period_end": MONDAY + timedelta(days=6)}
        )
        blocked.action_check()
        self.assertEqual((self.readiness.readiness_state, blocked.readiness_state), ("ready", "blocked"))
        self.start_tour(
            "/web#action=svc_resource_planning.action_svc_billing_readiness",
            "svc_billing_readiness_release",
            login=self.finance.login,
        )
        self.env.invalidate_all()
        self.assertEqual(self.readiness.readiness_state, "released")
        self.assertEqual(self.readiness.invoice_id.state, "draft")
        self.assertEqual(self.readiness.released_by_id, self.finance)
        self.assertEqual(blocked.readiness_state, "blocked")
