from odoo.exceptions import AccessError, UserError

from .common import SvcOpsCase


class TestExceptionQueue(SvcOpsCase):
    """raise_for/resolve_for are idempotent and the queue shows people only what is theirs."""

    def setUp(self):
        super().setUp()
        self.partner = self.env["res.partner"].create({"name": "Acme Site"})
        self.queue = self.env["svc.exception"]

    def test_raise_twice_updates_the_open_exception(self):
        first = self.queue.with_user(self.ops_user).raise_for(
            self.partner, "shortage", "general", "Short of laptops\n2 missing", owner=self.ops_manager
        )
        second = self.queue.with_user(self.ops_user).raise_for(
            self.partner, "shortage", "general", "Short of laptops\n3 missing", severity="high"
        )
        self.assertEqual(first, second)
        self.assertEqual(second.sudo().occurrences, 2)
        self.assertEqual(second.sudo().severity, "high")
        self.assertEqual(second.sudo().owner_id, self.ops_manager, "an update without owner keeps the owner")
        self.assertEqual(second.sudo().name, "Short of laptops")
        self.assertEqual(
            self.queue.sudo().search_count(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.partner.id)]
            ),
            1,
        )

    def test_raise_many_opens_new_and_refreshes_open_ones_in_one_batch(self):
        partners = self.env["res.partner"].create([{"name": f"Site {n}"} for n in range(3)])
        already = self.queue.raise_for(partners[1], "late", "general", "Late once")
        items = [
            {"record": partners[0], "message": "Late\nfirst site", "owner": self.ops_user},
            {"record": partners[1], "message": "Late again", "severity": "high"},
            {"record": partners[2], "message": "Late too"},
        ]
        with self.assertQueryCount(__system__=5):  # 4, and the owners' companies
            raised = self.queue._raise_many("late", "general", items)
        self.assertEqual(raised.mapped("res_id"), partners.ids, "one exception per item, in item order")
        self.assertEqual(raised[1], already)
        self.assertEqual((already.occurrences, already.severity, already.name), (2, "high", "Late again"))
        self.assertEqual((raised[0].name, raised[0].owner_id), ("Late", self.ops_user))
        self.assertEqual(set(raised.mapped("company_id")), {self.env.company})
        again = self.queue._raise_many("late", "general", items)
        self.assertEqual(again, raised, "raising the same batch again refreshes, never duplicates")
        self.assertEqual(again.mapped("occurrences"), [2, 3, 2])
        self.assertFalse(self.queue._raise_many("late", "general", []))

    def test_resolve_closes_and_a_new_raise_opens_a_new_one(self):
        first = self.queue.raise_for(self.partner, "late", "general", "Late")
        closed = self.queue.resolve_for(self.partner, "late", "Supplier shipped")
        self.assertEqual(closed, first)
        self.assertEqual(first.state, "resolved")
        self.assertEqual(first.resolution_note, "Supplier shipped")
        self.assertFalse(self.queue.resolve_for(self.partner, "late"), "resolving again closes nothing")
        again = self.queue.raise_for(self.partner, "late", "general", "Late again")
        self.assertNotEqual(again, first)
        self.assertEqual(again.state, "open")

    def test_users_see_their_own_managers_see_all(self):
        mine = self.queue.raise_for(self.partner, "a", "general", "Mine", owner=self.ops_user)
        theirs = self.queue.raise_for(self.partner, "b", "general", "Theirs", owner=self.other_user)
        visible = self.queue.with_user(self.ops_user).search([("id", "in", (mine | theirs).ids)])
        self.assertEqual(visible, mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.ops_user).read(["name"])
        everything = self.queue.with_user(self.ops_manager).search([("id", "in", (mine | theirs).ids)])
        self.assertEqual(everything, mine | theirs)

    def test_owner_works_the_exception_through_its_states(self):
        exception = self.queue.raise_for(self.partner, "k", "general", "Check", owner=self.ops_user)
        as_owner = exception.with_user(self.ops_user)
        as_owner.action_take()
        self.assertEqual(exception.state, "in_progress")
        as_owner.action_resolve("Done by hand")
        self.assertEqual(exception.resolved_by_id, self.ops_user)
        with self.assertRaisesRegex(UserError, "reopen it first"):
            as_owner.action_resolve()
        self.assertEqual(as_owner.action_open_record()["res_id"], self.partner.id)
