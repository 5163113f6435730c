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
