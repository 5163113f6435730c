from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import UserError

from .common import ProcurementCase


class TestAcknowledgmentFollowUp(ProcurementCase):
    """Past the deadline the vendor is reminded and the buyer told; a lead time later the
    purchasing manager gets an exception; acknowledging resolves it; nothing is sent twice."""

    with_policies = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.svc_ack_escalation_user_id = cls.purchasing_manager

    def _confirmed(self, when="2026-03-02 09:00:00", vendor=None):
        order = self._order(vendor=vendor, qty=1)
        with freeze_time(when):
            order.button_confirm()
        return order

    def _exception(self, order):
        return self.env["svc.exception"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", order.id), ("key", "=", "ack_overdue")]
        )

    def _emails_to_vendor(self, order):
        return self.env["mail.notification"].search(
            [("mail_message_id", "in", order.message_ids.ids), ("res_partner_id", "=", order.partner_id.id),
             ("notification_type", "=", "email")]
        )  # fmt: skip

    def test_overdue_reminder_then_escalation_without_duplicates(self):
        order = self._confirmed()  # low vendor: 24 h
        self.assertEqual(order.ack_deadline, datetime(2026, 3, 3, 9, 0))
        cron = self.env["purchase.order"]
        with freeze_time("2026-03-03 08:59:00"):
            self.assertEqual(cron._cron_ack_followup(), {"reminded": 0, "escalated": 0})
        self.assertEqual(order.ack_state, "waiting")

        with freeze_time("2026-03-03 10:00:00"):
            cron._cron_ack_followup()
            cron._cron_ack_followup()
        self.assertEqual(order.ack_state, "overdue")
        self.assertEqual(order.ack_reminded_at, datetime(2026, 3, 3, 10, 0))
        reminders = order.message_ids.filtered(lambda m: "please acknowledge order" in (m.subject or ""))
        self.assertEqual(len(reminders), 1, "one reminder, however often the job runs")
        self.assertIn(order.partner_id, reminders.partner_ids)
        self.assertEqual(len(self._emails_to_vendor(order)), 1)
        buyer_activity = order.activity_ids.filtered(lambda activity: activity.user_id == self.buyer)
        self.assertEqual(len(buyer_activity), 1)
        self.assertFalse(self._exception(order), "no escalation before a second lead time")

        with freeze_time("2026-03-04 09:30:00"):
            self.assertEqual(cron._cron_ack_followup(), {"reminded": 0, "escalated": 1})
            self.assertEqual(cron._cron_ack_followup(), {"reminded": 0, "escalated": 0})
        exception = self._exception(order)
        self.assertEqual(len(exception), 1)
        self.assertEqual(
            (exception.state, exception.owner_id, exception.severity),
            ("open", self.purchasing_manager, "high"),
        )
        self.assertIn("has still not acknowledged", exception.name)
        self.assertEqual(len(order.activity_ids.filtered(lambda a: a.user_id == self.purchasing_manager)), 1)
        self.assertEqual(
            len(self._emails_to_vendor(order)), 1, "the escalation does not mail the vendor again"
        )

        with freeze_time("2026-03-04 11:00:00"):
            order.with_user(self.buyer).action_acknowledge(promised_date="2026-03-10")
        self.assertEqual(order.ack_state, "acknowledged")
        self.assertEqual(exception.state, "resolved")
        with freeze_time("2026-03-06 09:30:00"):
            self.assertEqual(cron._cron_ack_followup(), {"reminded": 0, "escalated": 0})

    def test_acknowledged_and_draft_orders_are_left_alone(self):
        acknowledged = self._confirmed()
        acknowledged.action_acknowledge()
        draft = self._order(qty=1)
        with freeze_time("2026-03-10 09:00:00"):
            self.env["purchase.order"]._cron_ack_followup()
        self.assertEqual((acknowledged.ack_state, draft.ack_state), ("acknowledged", "not_required"))

    def test_escalation_without_a_setting_goes_to_a_purchasing_manager(self):
        self.env.company.svc_ack_escalation_user_id = False
        order = self._confirmed()
        with freeze_time("2026-03-03 10:00:00"):
            self.env["purchase.order"]._cron_ack_followup()
        with freeze_time("2026-03-05 10:00:00"):
            self.env["purchase.order"]._cron_ack_followup()
        self.assertIn(self._exception(order).owner_id, self.manager_group.users)

    def test_sending_the_confirmed_order_restarts_the_clock(self):
        order = self._confirmed()
        with freeze_time("2026-03-02 15:00:00"):
            order.with_context(mark_rfq_as_sent=True).message_post(body="Here is our order")
        self.assertEqual(order.ack_deadline, datetime(2026, 3, 3, 15, 0))

    def test_a_later_promised_date_moves_the_receipt(self):
        order = self._confirmed()
        receipt = order.picking_ids
        planned = receipt.scheduled_date
        later = date(planned.year, planned.month, planned.day).replace(year=planned.year + 1)
        order.with_user(self.buyer).action_acknowledge(promised_date=later, reference="SO-1")
        self.assertEqual(receipt.scheduled_date.date(), later)
        self.assertEqual(receipt.scheduled_date.time(), planned.time())
        self.assertEqual(order.ack_reference, "SO-1")
        earlier = self._confirmed()
        before = earlier.picking_ids.scheduled_date
        earlier.action_acknowledge(promised_date=before.date())
        self.assertEqual(
            earlier.picking_ids.scheduled_date, before, "an earlier or equal promise moves nothing"
        )

    def test_a_malformed_promised_date_is_refused(self):
        order = self._confirmed()
        with self.assertRaisesRegex(UserError, "must be a date written YYYY-MM-DD"):
            order.action_acknowledge(promised_date="next week")
        self.assertEqual(order.ack_state, "waiting")
