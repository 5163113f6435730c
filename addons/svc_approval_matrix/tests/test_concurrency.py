from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase


class TestConcurrentDecisions(TransactionCase):
    """Two approvers decide the same step at the same moment: exactly one decision counts.

    Real concurrency needs committed rows seen by two connections, so this test commits
    its own fixture in separate cursors and removes it afterwards.
    """

    def setUp(self):
        super().setUp()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Concurrent decision"})
            request = env["svc.approval.request"].create(
                {"name": "Manager", "res_model": "res.partner", "res_id": partner.id, "state": "pending",
                 "company_id": env.company.id}
            )  # fmt: skip
            self.request_id, self.partner_id = request.id, partner.id
        self.addCleanup(self._remove_fixture)

    def _remove_fixture(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["svc.approval.request"].browse(self.request_id).unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def test_second_decider_gets_a_clear_error_and_only_one_decision_counts(self):
        registry = self.env.registry
        with registry.cursor() as cr_a, registry.cursor() as cr_b:
            step_a = api.Environment(cr_a, SUPERUSER_ID, {})["svc.approval.request"].browse(self.request_id)
            step_b = api.Environment(cr_b, SUPERUSER_ID, {})["svc.approval.request"].browse(self.request_id)
            step_a._lock_for_decision()
            step_a.write({"state": "approved", "comment": "A decided"})
            with self.assertRaisesRegex(UserError, "Someone else is deciding"):
                step_b._lock_for_decision()
            cr_a.commit()
            # B's transaction saw the step open; Odoo replays such a transaction from scratch
            # (a concurrent update is a serialization failure), and the replay finds it decided.
            cr_b.rollback()
            with self.assertRaisesRegex(UserError, "decided meanwhile"):
                step_b._lock_for_decision()
            cr_b.rollback()
        with registry.cursor() as cr:
            step = api.Environment(cr, SUPERUSER_ID, {})["svc.approval.request"].browse(self.request_id)
            self.assertEqual((step.state, step.comment), ("approved", "A decided"))
