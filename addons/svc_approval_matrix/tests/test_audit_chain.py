import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase
from odoo.tools import mute_logger

from odoo.addons.svc_approval_matrix.models.svc_approval_log import CHAIN_HEAD_TABLE, TAMPER_KEY

from .common import ApprovalCase


def _line_values(env, names):
    return [
        {"event": "requested", "res_model": "res.partner", "res_id": env.user.partner_id.id,
         "res_name": name, "comment": f"comment {name}", "company_id": env.company.id}
        for name in names
    ]  # fmt: skip


class TestAuditChain(ApprovalCase):
    """Each log line is hashed onto its company's chain; Verify finds a line changed or
    deleted behind the ORM's back and names it."""

    def _lines(self, *names):
        log = self.env["svc.approval.log"]
        lines = log._record(_line_values(self.env, names or ("one", "two", "three")))
        log._chain_flush()
        return lines.sorted("id")

    def _tamper_exception(self, line):
        return (
            self.env["svc.exception"]
            .sudo()
            .search([("key", "=", TAMPER_KEY), ("res_model", "=", line._name), ("res_id", "=", line.id)])
        )

    def test_lines_are_chained_and_a_clean_chain_verifies(self):
        first, second, third = self._lines()
        self.assertEqual(len(first.line_hash), 64)
        self.assertEqual(second.prev_hash, first.line_hash)
        self.assertEqual(third.prev_hash, second.line_hash)
        self.assertEqual(self.env["svc.approval.log"]._verify_chain(), {})
        self.assertFalse(self.env["svc.exception"].sudo().search([("key", "=", TAMPER_KEY)]))

    def test_a_real_approval_flow_verifies(self):
        document = self._document(5000)
        document.action_request_approval()
        document.with_user(self.approver).action_approve("fine")
        document.with_user(self.finance).action_approve()
        self.assertEqual(document.approval_state, "approved")
        self.assertEqual(self.env["svc.approval.log"]._verify_chain(), {})
        self.assertTrue(all(self._log(document).mapped("line_hash")))

    def test_sql_update_is_detected_naming_the_line(self):
        _first, second, _third = self._lines()
        self.env.cr.execute("UPDATE svc_approval_log SET comment = 'rewritten' WHERE id = %s", [second.id])
        broken = self.env["svc.approval.log"]._verify_chain()
        self.assertIn(f"line {second.id}", broken[self.env.company.id])
        exception = self._tamper_exception(second)
        self.assertEqual(exception.severity, "critical")
        self.assertIn(f"line {second.id}", exception.message)

    def test_sql_delete_is_detected_naming_the_next_line(self):
        _first, second, third = self._lines()
        self.env.cr.execute("DELETE FROM svc_approval_log WHERE id = %s", [second.id])
        broken = self.env["svc.approval.log"]._verify_chain()
        self.assertIn(f"line {third.id}", broken[self.env.company.id])
        self.assertTrue(self._tamper_exception(third))

    def test_deleting_the_last_line_is_detected(self):
        _first, second, third = self._lines()
        self.env.cr.execute("DELETE FROM svc_approval_log WHERE id = %s", [third.id])
        broken = self.env["svc.approval.log"]._verify_chain()
        self.assertIn(str(third.id), broken[self.env.company.id])
        self.assertIn(f"line {second.id}", broken[self.env.company.id])

    def test_lines_from_before_the_chain_are_hashed_in_order(self):
        first, second, third = self._lines()
        self.env.cr.execute("UPDATE svc_approval_log SET prev_hash = NULL, line_hash = NULL")
        self.env.cr.execute(f"DELETE FROM {CHAIN_HEAD_TABLE}")
        self.env.invalidate_all()
        self.assertEqual(self.env["svc.approval.log"]._verify_chain(), {})
        self.assertTrue(first.line_hash)
        self.assertEqual((second.prev_hash, third.prev_hash), (first.line_hash, second.line_hash))
        # a line emptied of its hash after the chain started is tampering, not history
        self.env.cr.execute("UPDATE svc_approval_log SET line_hash = NULL WHERE id = %s", [second.id])
        self.assertIn(f"line {second.id}", self.env["svc.approval.log"]._verify_chain()[self.env.company.id])

    def test_hashes_cannot_be_set_or_changed_by_the_orm(self):
        line = (
            self.env["svc.approval.log"]
            .sudo()
            .create(dict(_line_values(self.env, ["forged"])[0], line_hash="0" * 64, prev_hash="0" * 64))
        )
        self.env["svc.approval.log"]._chain_flush()
        self.assertNotEqual(line.line_hash, "0" * 64)
        with self.assertRaises(UserError):
            line.write({"line_hash": "f" * 64})
        self.assertEqual(self.env["svc.approval.log"]._verify_chain(), {})

    def test_verify_button_is_for_policy_managers(self):
        self._lines("button")
        with self.assertRaises(AccessError):
            self.env["svc.approval.log"].with_user(self.requester).action_verify_chain()
        action = self.env["svc.approval.log"].with_user(self.policy_manager).action_verify_chain()
        self.assertEqual(action["params"]["type"], "success")

    def test_weekly_check_is_scheduled(self):
        cron = self.env.ref("svc_approval_matrix.ir_cron_verify_approval_log")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "weeks"))
        self.env["svc.approval.log"]._cron_verify_chain()


class TestChainConcurrency(TransactionCase):
    """Two transactions append at once: the second is refused at commit (Odoo replays it),
    so the chain never forks. Needs committed rows in two connections: removed afterwards."""

    def setUp(self):
        super().setUp()
        self.created = []
        self.addCleanup(self._remove_lines)
        with self.env.registry.cursor() as cr:
            self.created += (
                api.Environment(cr, SUPERUSER_ID, {})["svc.approval.log"]
                .create(_line_values(self.env, ["base"]))
                .ids
            )

    def _remove_lines(self):
        with self.env.registry.cursor() as cr:
            cr.execute("DELETE FROM svc_approval_log WHERE id IN %s", [tuple(self.created)])
            cr.execute(
                f"""UPDATE {CHAIN_HEAD_TABLE} head SET last_id = last.id, last_hash = last.line_hash
                      FROM (SELECT DISTINCT ON (COALESCE(company_id, 0)) COALESCE(company_id, 0) AS company,
                                   id, line_hash
                              FROM svc_approval_log ORDER BY COALESCE(company_id, 0), id DESC) last
                     WHERE head.company_id = last.company"""
            )
            cr.execute(
                f"""DELETE FROM {CHAIN_HEAD_TABLE} WHERE company_id NOT IN
                    (SELECT COALESCE(company_id, 0) FROM svc_approval_log)"""
            )

    def test_two_writers_keep_one_chain(self):
        registry = self.env.registry
        with registry.cursor() as cr_a, registry.cursor() as cr_b:
            log_a = api.Environment(cr_a, SUPERUSER_ID, {})["svc.approval.log"]
            log_b = api.Environment(cr_b, SUPERUSER_ID, {})["svc.approval.log"]
            self.created += log_a.create(_line_values(self.env, ["A"])).ids
            self.created += log_b.create(_line_values(self.env, ["B"])).ids
            cr_a.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure), mute_logger("odoo.sql_db"):
                cr_b.commit()
            cr_b.rollback()
            log_b.env.invalidate_all()
            # the replay of B's request appends after A
            self.created += log_b.create(_line_values(self.env, ["B again"])).ids
            cr_b.commit()
        with registry.cursor() as cr:
            log = api.Environment(cr, SUPERUSER_ID, {})["svc.approval.log"]
            base, line_a, _lost_b, line_b = log.browse(self.created)
            self.assertFalse(_lost_b.exists())
            self.assertEqual(line_a.prev_hash, base.line_hash)
            self.assertEqual(line_b.prev_hash, line_a.line_hash)
            self.assertEqual(log._verify_chain(), {})
