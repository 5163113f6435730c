from odoo_test_helper import FakeModelLoader

from odoo.tests import new_test_user

from odoo.addons.svc_ops_base.tests.common import SvcOpsCase


class ApprovalCase(SvcOpsCase):
    """A governed test model, real users in real groups, and a two-step policy above 1,000."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .models import SvcApprovalPlainDocument, SvcApprovalTestDocument

        cls.loader.update_registry((SvcApprovalTestDocument, SvcApprovalPlainDocument))
        cls.model = cls.env["ir.model"]._get("svc.approval.test.document")
        cls.plain_model = cls.env["ir.model"]._get("svc.approval.test.plain")
        cls.env["ir.model.access"].create(
            [
                {
                    "name": f"test {model.model}",
                    "model_id": model.id,
                    "group_id": cls.env.ref("base.group_user").id,
                    "perm_read": True,
                    "perm_write": True,
                    "perm_create": True,
                    "perm_unlink": True,
                }
                for model in cls.model | cls.plain_model
            ]
        )
        user_groups = "base.group_user"
        cls.requester = new_test_user(cls.env, "svc_requester", groups=user_groups)
        cls.approver = new_test_user(cls.env, "svc_approver", groups=user_groups)
        cls.approver2 = new_test_user(cls.env, "svc_approver2", groups=user_groups)
        cls.finance = new_test_user(cls.env, "svc_finance", groups=user_groups)
        cls.director = new_test_user(cls.env, "svc_director", groups=user_groups)
        cls.stranger = new_test_user(cls.env, "svc_stranger", groups=user_groups)
        cls.policy_manager = new_test_user(
            cls.env, "svc_policy_mgr", groups="base.group_user,svc_approval_matrix.group_approval_manager"
        )
        cls.emergency_user = new_test_user(
            cls.env, "svc_emergency", groups="base.group_user,svc_approval_matrix.group_approval_emergency"
        )
        cls.finance_group = cls.env["res.groups"].create(
            {"name": "Test Finance Approvers", "users": [(6, 0, [cls.finance.id, cls.approver2.id])]}
        )
        cls.policy = cls.env["svc.approval.policy"].create(
            {
                "name": "Above 1,000",
                "model_id": cls.model.id,
                "amount_min": 1000,
                "sequence": 10,
                "step_ids": [
                    (0, 0, {"name": "Manager", "approver_type": "record_field", "field_name": "manager_id",
                            "sla_hours": 8, "escalation_user_ids": [(6, 0, [cls.director.id])]}),
                    (0, 0, {"name": "Finance", "approver_type": "group", "group_id": cls.finance_group.id,
                            "sla_hours": 24}),
                ],
            }
        )  # fmt: skip

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def _document(self, amount=5000, manager=None, user=None, **values):
        return (
            self.env["svc.approval.test.document"]
            .with_user(user or self.requester)
            .create(dict({"name": f"DOC {amount}", "amount": amount,
                          "manager_id": (manager or self.approver).id}, **values))
        )  # fmt: skip

    def _log(self, document, event=None):
        domain = [("res_model", "=", document._name), ("res_id", "=", document.id)]
        if event:
            domain.append(("event", "=", event))
        return self.env["svc.approval.log"].sudo().search(domain, order="id")

    def _deny(self, document, user, method="action_approve", *args):
        """Call a decision as `user` expecting a refusal; keep what the refusal wrote.

        (assertRaises would roll back to a savepoint and hide the `denied` log line.)
        """
        try:
            getattr(document.with_user(user), method)(*args)
        except Exception as error:  # the refusal under test
            return error
        self.fail(f"{method} by {user.login} was not refused")
