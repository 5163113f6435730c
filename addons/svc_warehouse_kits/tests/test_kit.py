from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from odoo.addons.svc_ops_base.tests.common import SvcOpsCase


class TestKit(SvcOpsCase):
    """Kits combine into request lines; kits users read them, only kits managers define them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kits_user = new_test_user(
            cls.env, "svc_kits_user", groups="base.group_user,svc_warehouse_kits.group_kits_user"
        )
        cls.kits_manager = new_test_user(
            cls.env, "svc_kits_mgr", groups="base.group_user,svc_warehouse_kits.group_kits_manager"
        )
        product = cls.env["product.product"]
        cls.laptop = product.create({"name": "Test laptop", "detailed_type": "product", "tracking": "serial"})
        cls.cable = product.create({"name": "Test cable", "detailed_type": "consu"})
        cls.switch = product.create({"name": "Test switch", "detailed_type": "product"})

    def _kit(self, code, lines, user=None, **values):
        return (
            self.env["svc.kit"]
            .with_user(user or self.kits_manager)
            .create(dict({"name": f"Kit {code}", "code": code,
                          "line_ids": [(0, 0, {"product_id": p.id, "quantity": q}) for p, q in lines]},
                         **values))
        )  # fmt: skip

    def test_combined_kits_sum_shared_products_in_first_seen_order(self):
        onboarding = self._kit("T-ONB", [(self.laptop, 1), (self.cable, 2)])
        network = self._kit("T-NET", [(self.switch, 1), (self.cable, 8)])
        lines = (onboarding | network).with_user(self.kits_user).action_expand(multiplier=2)
        self.assertEqual(
            lines,
            [
                {"product_id": self.laptop.id, "quantity": 2.0},
                {"product_id": self.cable.id, "quantity": 20.0},
                {"product_id": self.switch.id, "quantity": 2.0},
            ],
        )
        reverse = (network | onboarding).with_user(self.kits_user)._prepare_request_lines()
        self.assertEqual(
            [line["product_id"] for line in reverse], [self.switch.id, self.cable.id, self.laptop.id]
        )
        self.assertEqual(self.env["svc.kit"].action_expand(), [], "no kits, no lines")
        with self.assertRaisesRegex(UserError, "positive number of times"):
            onboarding.action_expand(multiplier=0)

    def test_quantity_must_be_positive(self):
        with self.assertRaisesRegex(ValidationError, "set a quantity greater than zero"):
            self._kit("T-ZERO", [(self.laptop, 0)])
        kit = self._kit("T-POS", [(self.laptop, 1)])
        with self.assertRaisesRegex(ValidationError, "set a quantity greater than zero"):
            kit.line_ids.quantity = -1

    @mute_logger("odoo.sql_db")
    def test_code_is_unique_per_company(self):
        self._kit("T-DUP", [(self.laptop, 1)])
        with self.assertRaises(IntegrityError):
            self._kit("T-DUP", [(self.cable, 1)])
        self._kit("T-SHARED", [(self.cable, 1)], company_id=False)
        with self.assertRaises(IntegrityError, msg="shared kits cannot repeat a code either"):
            self._kit("T-SHARED", [(self.cable, 1)], company_id=False)
        other_company = self.env["res.company"].create({"name": "Other Co"})
        other_kit = self.env["svc.kit"].create(
            {"name": "Other", "code": "T-DUP", "company_id": other_company.id}
        )
        self.assertEqual(other_kit.code, "T-DUP", "another company may use the same code")

    def test_only_managers_define_kits(self):
        with self.assertRaises(AccessError):
            self._kit("T-USR", [(self.laptop, 1)], user=self.kits_user)
        kit = self._kit("T-MGR", [(self.laptop, 1)])
        self.assertEqual(kit.with_user(self.kits_user).line_count, 1, "kits users read kits")
        with self.assertRaises(AccessError):
            kit.with_user(self.kits_user).write({"name": "Renamed"})
        copy = kit.copy()
        self.assertEqual((copy.code, copy.line_ids.product_id), ("T-MGR (copy)", self.laptop))

    def test_kits_of_other_companies_are_invisible(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        hidden = self.env["svc.kit"].create(
            {"name": "Other", "code": "T-OTHER", "company_id": other_company.id}
        )
        shared = self._kit("T-SHARED", [(self.cable, 1)], company_id=False)
        visible = self.env["svc.kit"].with_user(self.kits_user).search([("code", "like", "T-")])
        self.assertIn(shared, visible)
        self.assertNotIn(hidden, visible)
