from odoo.tests import TransactionCase, new_test_user


class SvcOpsCase(TransactionCase):
    """Fixtures shared by the suite's tests: users with the real groups, no tracking noise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_notrack=True))
        cls.ops_manager = new_test_user(
            cls.env, "svc_ops_manager", groups="base.group_user,svc_ops_base.group_ops_manager"
        )
        cls.ops_user = new_test_user(cls.env, "svc_ops_user", groups="base.group_user")
        cls.other_user = new_test_user(cls.env, "svc_ops_other", groups="base.group_user")
