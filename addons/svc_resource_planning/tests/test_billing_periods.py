import logging
import unittest
from datetime import date, timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from odoo.addons.svc_resource_planning.models.billing_period import billing_period

from .billing_common import MONDAY
from .test_billing_readiness import ReadinessCase

_logger = logging.getLogger(__name__)


class TestBillingPeriodMath(unittest.TestCase):
    """The period containing a day: ISO week, calendar month, calendar quarter."""

    def test_periods(self):
        day = date(2026, 2, 18)  # a Wednesday
        self.assertEqual(billing_period(day, "weekly"), (date(2026, 2, 16), date(2026, 2, 22)))
        self.assertEqual(billing_period(day, "monthly"), (date(2026, 2, 1), date(2026, 2, 28)))
        self.assertEqual(billing_period(date(2028, 2, 29), "monthly"), (date(2028, 2, 1), date(2028, 2, 29)))
        self.assertEqual(billing_period(day, "quarterly"), (date(2026, 1, 1), date(2026, 3, 31)))
        self.assertEqual(
            billing_period(date(2026, 12, 31), "quarterly"), (date(2026, 10, 1), date(2026, 12, 31))
        )
        self.assertEqual(billing_period(date(2027, 1, 3), "weekly"), (date(2026, 12, 28), date(2027, 1, 3)))
        self.assertIsNone(billing_period(day, "manual"))
        with self.assertRaises(ValueError):
            billing_period(day, "yearly")


class TestBillingPeriods(ReadinessCase):
    """The daily scheduled action opens one readiness per confirmed order with service lines
    and billing period, checks it, and flags ready ones finance has not released."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Readiness = cls.env["svc.billing.readiness"]
        cls.Readiness._cron_recheck()  # whatever the database already holds gets its periods
        cls.today = fields.Date.context_today(cls.Readiness)

    def _readinesses(self, orders):
        return self.Readiness.search([("sale_order_id", "in", orders.ids)], order="id")

    def test_cron_opens_each_period_once_and_checks_it(self):
        monthly = self._retainer_order()
        weekly = self._retainer_order()
        weekly.svc_billing_period = "weekly"
        manual = self._retainer_order()
        manual.svc_billing_period = "manual"
        quotation = self.env["sale.order"].create({
            "partner_id": self.customer.id,
            "order_line": [(0, 0, {"product_id": self.retainer_product.id, "product_uom_qty": 5})],
        })  # fmt: skip
        orders = monthly | weekly | manual | quotation
        self.assertEqual(monthly.svc_billing_period, "monthly", "the company's period by default")
        self.Readiness._cron_recheck()
        first = self._readinesses(orders)
        self.assertEqual(first.sale_order_id, monthly | weekly, "by hand only and quotations: none")
        by_order = {readiness.sale_order_id: readiness for readiness in first}
        month_start = self.today.replace(day=1)
        week_start = self.today - timedelta(days=self.today.weekday())
        self.assertEqual(
            (by_order[monthly].period_start, by_order[weekly].period_start, by_order[weekly].period_end),
            (month_start, week_start, week_start + timedelta(days=6)),
        )
        self.assertEqual(by_order[monthly].planned_invoice_date, by_order[monthly].period_end)
        for readiness in first:
            self.assertEqual(len(readiness.check_ids), 5, "checked at once")
            self.assertTrue(readiness.last_checked_at)
            self.assertEqual(readiness.readiness_state, "blocked")
            self.assertIn("Client sign-off recorded: missing", readiness.unmet_summary)
        checks = first.check_ids
        self.Readiness._cron_recheck()
        self.assertEqual(self._readinesses(orders), first, "idempotent: the same records")
        self.assertEqual(first.check_ids, checks, "and the same check rows")

    def test_cron_respects_a_readiness_made_by_hand(self):
        order = self._retainer_order()
        start = self.today.replace(day=1)
        by_hand = self.Readiness.with_user(self.account_manager).create(
            {"sale_order_id": order.id, "period_start": start, "period_end": start + timedelta(days=9)}
        )
        self.Readiness._cron_recheck()
        self.assertEqual(self._readinesses(order), by_hand, "the month overlaps it: no second readiness")
        self.assertTrue(by_hand.check_ids, "re-checked daily like the others")

    def test_duplicate_order_and_period_refused(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError) as catcher:
            self.Readiness.create(
                {
                    "sale_order_id": self.order.id,
                    "period_start": MONDAY,
                    "period_end": MONDAY + timedelta(days=6),
                }
            )
        self.assertIn("svc_billing_readiness_order_period_uniq", str(catcher.exception))
        constraint = {name: message for name, _sql, message in self.Readiness._sql_constraints}
        self.assertIn("already has a billing readiness for this period", constraint["order_period_uniq"])

    def test_ready_not_released_raises_for_finance_until_released(self):
        self.env.company.svc_billing_responsible_id = self.finance_2
        self.readiness.action_check()
        self.assertEqual(self.readiness.readiness_state, "ready")
        self.assertTrue(self.readiness.ready_since)

        def flags():
            return self.env["svc.exception"].search(
                [("res_model", "=", self.readiness._name), ("res_id", "=", self.readiness.id),
                 ("key", "=", "billing_not_released")]
            )  # fmt: skip

        now = fields.Datetime.now()
        self.readiness.sudo().ready_since = now - timedelta(days=4)
        self.Readiness._cron_recheck()
        self.assertFalse(flags(), "within the 5 release days")
        self.readiness.sudo().ready_since = now - timedelta(days=6)
        self.Readiness._cron_recheck()
        self.Readiness._cron_recheck()
        exception = flags()
        self.assertEqual(
            (len(exception), exception.state, exception.category, exception.owner_id, exception.occurrences),
            (1, "open", "billing", self.finance_2, 2),
        )
        self.assertIn("is not released (release within 5 days)", exception.name)
        self.readiness.with_user(self.finance).action_release()
        self.assertEqual(exception.state, "resolved")

    def test_blocked_again_clears_ready_since_and_the_flag(self):
        self.readiness.action_check()
        self.readiness.sudo().ready_since = fields.Datetime.now() - timedelta(days=30)
        self.Readiness._cron_recheck()
        exception = self.env["svc.exception"].search(
            [("res_model", "=", self.readiness._name), ("res_id", "=", self.readiness.id),
             ("key", "=", "billing_not_released")]
        )  # fmt: skip
        self.assertEqual(exception.state, "open")
        self.milestone.is_reached = False
        self.readiness.action_check()
        self.assertEqual((self.readiness.readiness_state, self.readiness.ready_since), ("blocked", False))
        self.assertEqual(exception.state, "resolved")

    def test_settings_and_bad_release_days(self):
        settings = self.env["res.config.settings"].create(
            {"svc_billing_period": "quarterly", "svc_billing_release_days": 3}
        )
        settings.execute()
        self.assertEqual((self.env.company.svc_billing_period, self.env.company.svc_billing_release_days),
                         ("quarterly", 3))  # fmt: skip
        self.assertEqual(self._retainer_order().svc_billing_period, "quarterly")
        with self.refused(ValidationError, "0 to 365 days"):
            self.env.company.svc_billing_release_days = -1

    def test_cron_queries_do_not_grow_with_orders(self):
        """Opening and checking 12 orders' periods costs the queries of 2 (batched)."""
        counts = {}
        for size in (2, 12):
            with self.env.cr.savepoint(flush=True) as savepoint:
                orders = self.env["sale.order"].browse([self._retainer_order().id for _i in range(size)])
                self.env.flush_all()
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                self.Readiness.with_context(tracking_disable=False, mail_notrack=False)._cron_recheck()
                self.env.flush_all()
                counts[size] = self.env.cr.sql_log_count - before
                self.assertEqual(len(self._readinesses(orders)), size)
                savepoint.rollback()
                self.env.invalidate_all()
        _logger.info("billing readiness cron queries: %s for 2 orders, %s for 12", counts[2], counts[12])
        self.assertLessEqual(counts[12], counts[2] + 2, counts)
