import functools
import json
import threading

from odoo import SUPERUSER_ID, api
from odoo.service.model import retrying
from odoo.tests import TransactionCase


class TestConcurrentDelivery(TransactionCase):
    """Two transactions store the same (source, event id) at the same moment: one row.

    The second INSERT ... ON CONFLICT DO NOTHING waits for the first transaction; under
    Odoo's REPEATABLE READ it then fails to serialize, and Odoo replays the request
    (odoo.service.model.retrying, as for every HTTP request), which finds the row.

    Real concurrency needs committed rows seen by two connections, so this test commits
    its own source in a separate cursor and removes everything afterwards.
    """

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            source = env["svc.integration.source"].create({"name": "Concurrent", "code": "concurrent-test"})
            self.source_id = source.id
        self.addCleanup(self._remove_fixture)

    def _remove_fixture(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["svc.inbox.event"].search([("source_id", "=", self.source_id)]).unlink()
            env["svc.integration.source"].browse(self.source_id).unlink()

    def test_second_transaction_waits_and_stores_nothing(self):
        body = json.dumps({"id": "same", "type": "svc.ping", "data": {"message": "x"}})
        results = {}
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            inbox_a = api.Environment(cr_a, SUPERUSER_ID, {})["svc.inbox.event"]
            inbox_b = api.Environment(cr_b, SUPERUSER_ID, {})["svc.inbox.event"]
            source_a = inbox_a.env["svc.integration.source"].browse(self.source_id)
            source_b = inbox_b.env["svc.integration.source"].browse(self.source_id)
            results["a"] = inbox_a._store(source_a.id, source_a.company_id.id, "same", "svc.ping", body)

            def second_delivery():
                try:
                    # As the HTTP layer does: a serialization failure replays the transaction.
                    store = functools.partial(
                        inbox_b._store, source_b.id, source_b.company_id.id, "same", "svc.ping", body
                    )
                    results["b"] = retrying(store, inbox_b.env)
                    cr_b.commit()
                except Exception as error:  # reported by the assertion below
                    results["b"] = error

            thread = threading.Thread(target=second_delivery)
            thread.start()
            thread.join(timeout=1)
            self.assertTrue(thread.is_alive(), "the second insert waits for the first transaction")
            cr_a.commit()
            thread.join(timeout=10)
            self.assertFalse(thread.is_alive())
        self.assertEqual(results, {"a": True, "b": False})
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            count = env["svc.inbox.event"].search_count([("source_id", "=", self.source_id)])
        self.assertEqual(count, 1)
