from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user

from odoo.addons.svc_ops_base.tests.common import SvcOpsCase


class TestApprovalPolicy(SvcOpsCase):
    """Policies say which amounts they govern and refuse steps that name nobody."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy_manager = new_test_user(
            cls.env, "svc_policy_manager", groups="base.group_user,svc_approval_matrix.group_approval_manager"
        )
        cls.partner_model = cls.env["ir.model"]._get("res.partner")

    def _policy(self, **values):
        return (
            self.env["svc.approval.policy"]
            .with_user(self.policy_manager)
            .create(dict({"name": "Partners", "model_id": self.partner_model.id}, **values))
        )

    def test_amount_range_is_half_open(self):
        policy = self._policy(amount_min=1000, amount_max=5000)
        self.assertFalse(policy._amount_matches(999.99))
        self.assertTrue(policy._amount_matches(1000))
        self.assertFalse(policy._amount_matches(5000), "the upper bound belongs to the next policy")
        unbounded = self._policy(amount_min=5000)
        self.assertTrue(unbounded._amount_matches(10**9))

    def test_inverted_range_and_empty_steps_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "must be greater"):
            self._policy(amount_min=5000, amount_max=1000)
        with self.assertRaisesRegex(ValidationError, "choose the approving users"):
            self._policy(step_ids=[(0, 0, {"name": "Nobody", "approver_type": "user"})])
        with self.assertRaisesRegex(ValidationError, "not a user field"):
            self._policy(
                step_ids=[(0, 0, {"name": "Bad", "approver_type": "record_field", "field_name": "name"})]
            )
        with self.assertRaisesRegex(ValidationError, "invalid domain"):
            self._policy(domain="[('no_such_field', '=', 1)]")

    def test_only_policy_managers_configure(self):
        with self.assertRaises(AccessError):
            self.env["svc.approval.policy"].with_user(self.ops_user).create(
                {"name": "Sneaky", "model_id": self.partner_model.id}
            )
