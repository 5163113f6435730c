from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestServiceOperationsTour(HttpCase):
    """In a real browser: the queue shows a raised exception and its owner takes it."""

    def test_exception_queue_tour(self):
        admin = self.env.ref("base.user_admin")
        exception = self.env["svc.exception"].raise_for(
            self.env.user.partner_id, "tour", "general", "Tour exception", owner=admin
        )
        self.start_tour(
            "/web#action=svc_ops_base.action_svc_exception", "svc_ops_base_exception_queue", login="admin"
        )
        self.assertEqual(exception.state, "in_progress")
        self.assertEqual(exception.owner_id, admin)
