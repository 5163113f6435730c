"""The suite's access rights, declared once as data and compared with the live database.

ACCESS_MATRIX is the reviewed statement of who may do what on every model of the six
addons (and on any core model the addons grant access to): model -> group xmlid ->
the letters of the rights ("r" read, "w" write, "c" create, "u" unlink). A new or widened
ir.model.access row, in the suite's CSV files or in any other module's data, fails
these tests until the matrix says so: widening access becomes a reviewed change.

A model with a company is multi-company: it must carry a global record rule on the
user's companies, or a user of one company would see another company's rows.
"""

from collections import defaultdict

from odoo.tests import TransactionCase, new_test_user, tagged

SUITE = (
    "svc_ops_base",
    "svc_approval_matrix",
    "svc_warehouse_kits",
    "svc_procurement_orchestration",
    "svc_resource_planning",
    "svc_order_orchestration",
)
MODES = {"r": "read", "w": "write", "c": "create", "u": "unlink"}
PERM_FIELDS = {"r": "perm_read", "w": "perm_write", "c": "perm_create", "u": "perm_unlink"}
EVERYONE = "(no group)"  # the key of an ir.model.access row without a group

ACCESS_MATRIX = {
    # svc_ops_base
    "svc.exception": {
        "svc_ops_base.group_ops_user": "rw",
        "svc_ops_base.group_ops_manager": "rwc",
        "base.group_system": "rwcu",
    },
    "svc.event.type": {"svc_ops_base.group_ops_user": "r", "svc_ops_base.group_ops_manager": "rwcu"},
    # integration data is private: the integration managers (and the administrator) only
    "svc.integration.source": {"svc_ops_base.group_ops_manager": "rwcu"},
    "svc.inbox.event": {"svc_ops_base.group_ops_manager": "rwu"},
    "svc.inbox.route": {"svc_ops_base.group_ops_user": "r", "svc_ops_base.group_ops_manager": "rwcu"},
    "svc.webhook.endpoint": {"svc_ops_base.group_ops_manager": "rwcu"},
    "svc.outbox.event": {"svc_ops_base.group_ops_manager": "rwu"},
    "svc.integration.secret.wizard": {"svc_ops_base.group_ops_manager": "rwc"},
    # svc_approval_matrix
    "svc.approval.policy": {
        "svc_approval_matrix.group_approval_user": "r",
        "svc_approval_matrix.group_approval_manager": "rwcu",
    },
    "svc.approval.step": {
        "svc_approval_matrix.group_approval_user": "r",
        "svc_approval_matrix.group_approval_manager": "rwcu",
    },
    "svc.approval.request": {"svc_approval_matrix.group_approval_user": "r"},
    "svc.approval.log": {"svc_approval_matrix.group_approval_user": "r"},
    "svc.approval.delegation": {"svc_approval_matrix.group_approval_user": "rwcu"},
    "svc.approval.decision.wizard": {"svc_approval_matrix.group_approval_user": "rwc"},
    "svc.approval.route.wizard": {"svc_approval_matrix.group_approval_user": "rwc"},
    # svc_warehouse_kits
    "svc.kit": {
        "svc_warehouse_kits.group_kits_user": "r",
        "svc_warehouse_kits.group_kits_manager": "rwcu",
    },
    "svc.kit.line": {
        "svc_warehouse_kits.group_kits_user": "r",
        "svc_warehouse_kits.group_kits_manager": "rwcu",
    },
    "svc.material.request": {
        "base.group_user": "r",
        "svc_warehouse_kits.group_kits_user": "rwc",
        "svc_warehouse_kits.group_kits_manager": "rwcu",
    },
    "svc.material.request.line": {"base.group_user": "r", "svc_warehouse_kits.group_kits_user": "rwcu"},
    "svc.material.dispatch": {"base.group_user": "r", "svc_warehouse_kits.group_kits_manager": "rwc"},
    "svc.asset.loan": {
        "svc_warehouse_kits.group_kits_user": "r",
        "svc_warehouse_kits.group_kits_manager": "rwc",
    },
    "svc.material.request.kit.wizard": {"svc_warehouse_kits.group_kits_user": "rwc"},
    # svc_procurement_orchestration
    "svc.replenishment.run": {"svc_procurement_orchestration.group_procurement_manager": "r"},
    # svc_resource_planning
    "svc.resource.allocation": {
        "svc_resource_planning.group_resource_user": "r",
        "svc_resource_planning.group_resource_manager": "rwcu",
    },
    "svc.capacity.week": {"svc_resource_planning.group_resource_user": "r"},
    "svc.staffing.request": {
        "svc_resource_planning.group_resource_user": "rwc",
        "svc_resource_planning.group_resource_manager": "rwcu",
    },
    "svc.staffing.request.line": {"svc_resource_planning.group_resource_user": "rwcu"},
    "svc.staffing.skill": {"svc_resource_planning.group_resource_user": "rwcu"},
    "svc.staffing.candidate": {
        "svc_resource_planning.group_resource_user": "r",
        "svc_resource_planning.group_resource_manager": "rwcu",
    },
    "svc.timesheet.validate.wizard": {"hr_timesheet.group_hr_timesheet_approver": "rwcu"},
    "svc.retainer.overage": {
        "project.group_project_user": "rwc",
        "sales_team.group_sale_salesman": "rwc",
        "sales_team.group_sale_manager": "rwcu",
    },
    "svc.service.request.type": {"base.group_user": "r", "project.group_project_manager": "rwcu"},
    "svc.service.request": {
        "project.group_project_user": "rwc",
        "sales_team.group_sale_salesman": "rwc",
        "project.group_project_manager": "rwcu",
    },
    "svc.timesheet.compliance": {
        "hr_timesheet.group_hr_timesheet_user": "r",
        "hr_timesheet.group_hr_timesheet_approver": "r",
    },
    "svc.billing.readiness": {
        "sales_team.group_sale_salesman": "rwc",
        "project.group_project_manager": "rw",
        "account.group_account_invoice": "rwcu",
    },
    "svc.billing.readiness.check": {
        "sales_team.group_sale_salesman": "r",
        "project.group_project_manager": "r",
        "account.group_account_invoice": "r",
    },
    "svc.billing.hold.wizard": {
        "project.group_project_user": "rwcu",
        "account.group_account_invoice": "rwcu",
    },
    # Core models: the suite grants nothing on them (a row here would be reviewed like the rest).
}

# Group -> the groups of ACCESS_MATRIX it implies (directly or not): what a user of the
# group gets on top of the group's own rights. Groups implying none are left out.
# base.group_user implies the suite's approver and exception-queue user groups (and,
# through them, itself): every internal user is an approver and works own exceptions.
INTERNAL = ["base.group_user", "svc_approval_matrix.group_approval_user", "svc_ops_base.group_ops_user"]
IMPLIED_MATRIX_GROUPS = {
    "account.group_account_invoice": [*INTERNAL],
    "base.group_system": [*INTERNAL],
    "base.group_user": [*INTERNAL],
    "hr_timesheet.group_hr_timesheet_approver": [*INTERNAL, "hr_timesheet.group_hr_timesheet_user"],
    "hr_timesheet.group_hr_timesheet_user": [*INTERNAL],
    "project.group_project_manager": [
        *INTERNAL,
        "hr_timesheet.group_hr_timesheet_approver",
        "hr_timesheet.group_hr_timesheet_user",
        "project.group_project_user",
    ],
    "project.group_project_user": [*INTERNAL],
    "sales_team.group_sale_manager": [*INTERNAL, "sales_team.group_sale_salesman"],
    "sales_team.group_sale_salesman": [*INTERNAL],
    "svc_approval_matrix.group_approval_manager": [
        "base.group_user",
        "svc_approval_matrix.group_approval_user",
    ],
    "svc_approval_matrix.group_approval_user": ["base.group_user"],
    "svc_ops_base.group_ops_manager": ["svc_ops_base.group_ops_user"],
    "svc_procurement_orchestration.group_procurement_manager": [*INTERNAL],
    "svc_procurement_orchestration.group_procurement_user": [*INTERNAL],
    "svc_resource_planning.group_resource_manager": [*INTERNAL, "svc_resource_planning.group_resource_user"],
    "svc_resource_planning.group_resource_user": [*INTERNAL],
    "svc_warehouse_kits.group_kits_manager": [*INTERNAL, "svc_warehouse_kits.group_kits_user"],
    "svc_warehouse_kits.group_kits_user": [*INTERNAL],
}

# Multi-company models whose rows are not company data, with the reason (none today).
COMPANY_RULE_EXEMPT = {}


def _letters(row):
    return "".join(letter for letter, field in PERM_FIELDS.items() if row[field])


def _merge(first, second):
    return "".join(letter for letter in "rwcu" if letter in first or letter in second)


@tagged("post_install", "-at_install")
class TestAccessMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.suite_models = sorted(
            name
            for name, model in cls.env.registry.items()
            if name.startswith("svc.") and not model._abstract
        )

    def _live_matrix(self):
        """Every ACL row on an svc.* model, plus every row a suite module defines on any model."""
        access = self.env["ir.model.access"].sudo()  # active rows: an archived row grants nothing
        rows = access.search([("model_id.model", "=like", "svc.%")])
        suite_ids = (
            self.env["ir.model.data"]
            .sudo()
            .search([("model", "=", "ir.model.access"), ("module", "in", SUITE)])
            .mapped("res_id")
        )
        rows |= access.browse(suite_ids).exists().filtered("active")
        live = defaultdict(dict)
        for row in rows:
            group = row.group_id.get_external_id()[row.group_id.id] if row.group_id else EVERYONE
            group = group or f"res.groups({row.group_id.id}) {row.group_id.full_name}"
            live[row.model_id.model][group] = _merge(live[row.model_id.model].get(group, ""), _letters(row))
        return {model: {g: p for g, p in groups.items() if p} for model, groups in live.items()}, rows

    def _differences(self):
        """(pairs compared, ACL rows read, one line per (model, group) the matrix gets wrong)."""
        live, rows = self._live_matrix()
        attempts, differences = 0, []
        for model in sorted(set(live) | set(ACCESS_MATRIX)):
            declared, actual = ACCESS_MATRIX.get(model, {}), live.get(model, {})
            for group in sorted(set(declared) | set(actual)):
                attempts += 1
                if declared.get(group, "") != actual.get(group, ""):
                    differences.append(
                        f"{model} / {group}: matrix says {declared.get(group, '') or '-'!r}, "
                        f"the database grants {actual.get(group, '') or '-'!r}"
                    )
        return attempts, len(rows), differences

    def test_live_acls_are_exactly_the_matrix(self):
        """A new, widened or narrowed ACL row fails here, with the line to add to the matrix."""
        attempts, rows, differences = self._differences()
        print(f"access matrix: {attempts} (model, group) pairs compared over {rows} ACL rows")
        self.assertFalse(
            differences,
            "The live access rights differ from ACCESS_MATRIX in tests/test_security_access.py; "
            "review the change, then update the matrix:\n" + "\n".join(differences),
        )

    def test_a_widening_row_is_caught(self):
        """The guard itself: rows that widen access (a new group, a new right, a core model
        granted by a suite module) each show up as a difference."""
        access = self.env["ir.model.access"].sudo()
        user_group = self.env.ref("base.group_user")
        added = access.create(
            [
                {"name": "wider log", "model_id": self.env["ir.model"]._get_id("svc.approval.log"),
                 "group_id": user_group.id, "perm_read": True, "perm_unlink": True},
                {"name": "everyone", "model_id": self.env["ir.model"]._get_id("svc.kit"), "perm_read": True},
                {"name": "core", "model_id": self.env["ir.model"]._get_id("res.partner"),
                 "group_id": user_group.id, "perm_unlink": True},
            ]
        )  # fmt: skip
        self.env["ir.model.data"].sudo().create(
            {"module": "svc_ops_base", "name": "test_core_grant", "model": added._name, "res_id": added[2].id}
        )
        attempts, _rows, differences = self._differences()
        print(f"access matrix (widened on purpose): {attempts} pairs compared, {len(differences)} caught")
        self.assertEqual(len(differences), 3, differences)
        self.assertTrue(any("svc.approval.log / base.group_user" in line for line in differences))
        self.assertTrue(any(f"svc.kit / {EVERYONE}" in line for line in differences))
        self.assertTrue(any("res.partner / base.group_user" in line for line in differences))

    def test_every_suite_model_is_in_the_matrix(self):
        """A new model cannot ship without a reviewed line (even an empty one: admin only)."""
        missing = [model for model in self.suite_models if model not in ACCESS_MATRIX]
        stale = [model for model in ACCESS_MATRIX if model.startswith("svc.") and model not in self.env]
        print(f"access matrix: {len(self.suite_models)} suite models checked for a matrix line")
        self.assertFalse(missing, f"Add these models to ACCESS_MATRIX: {missing}")
        self.assertFalse(stale, f"These models of ACCESS_MATRIX no longer exist: {stale}")

    def test_each_user_gets_what_the_matrix_gives_their_groups(self):
        """The ORM's own check, per user: one user per group of the matrix and the demo users.

        A user's rights are the union of the rights of all their groups, implied included:
        this proves Odoo enforces the matrix as read (no other source of rights).
        """
        users = self.env["res.users"]
        groups = sorted({group for grants in ACCESS_MATRIX.values() for group in grants} - {EVERYONE})
        groups += [
            f"{module}.{xmlid}" for module, xmlid in self._suite_groups() if f"{module}.{xmlid}" not in groups
        ]
        for index, group in enumerate(groups):
            users |= new_test_user(self.env, f"acl_probe_{index}", groups=group)
        demo = self.env["ir.model.data"].sudo().search([("model", "=", "res.users"), ("module", "in", SUITE)])
        users |= self.env["res.users"].browse(demo.mapped("res_id")).exists()
        users |= self.env.ref("base.user_admin") | self.env.ref("base.user_demo")
        users = users.filtered("active")
        access = self.env["ir.model.access"]
        attempts, differences = 0, []
        for user in users:
            user_groups = set(user.groups_id.get_external_id().values())
            for model in self.suite_models:
                expected = ""
                for group, letters in ACCESS_MATRIX.get(model, {}).items():
                    if group == EVERYONE or group in user_groups:
                        expected = _merge(expected, letters)
                for letter, mode in MODES.items():
                    attempts += 1
                    allowed = access.with_user(user).check(model, mode, raise_exception=False)
                    if allowed != (letter in expected):
                        differences.append(
                            f"{user.login} {mode} {model}: {allowed}, matrix {letter in expected}"
                        )
        print(f"access matrix: {attempts} rights checked for {len(users)} users")
        self.assertFalse(differences, "\n".join(differences))

    def test_group_implications_are_reviewed(self):
        """A group that comes to imply another group of the matrix widens access as surely
        as a new ACL row: which matrix groups each group implies is declared too."""
        matrix_groups = {group for grants in ACCESS_MATRIX.values() for group in grants} - {EVERYONE}
        names = sorted(matrix_groups | {f"{module}.{xmlid}" for module, xmlid in self._suite_groups()})
        live = {}
        for name in names:
            implied = self.env.ref(name).trans_implied_ids
            live[name] = sorted(set(implied.get_external_id().values()) & matrix_groups)
        print(f"group implications: {len(names)} groups checked")
        differences = [
            f"{name}: matrix says {IMPLIED_MATRIX_GROUPS.get(name, [])}, the database {live[name]}"
            for name in names
            if sorted(IMPLIED_MATRIX_GROUPS.get(name, [])) != live[name]
        ]
        self.assertFalse(differences, "Review, then update IMPLIED_MATRIX_GROUPS:\n" + "\n".join(differences))

    def _suite_groups(self):
        data = (
            self.env["ir.model.data"].sudo().search([("model", "=", "res.groups"), ("module", "in", SUITE)])
        )
        return sorted((row.module, row.name) for row in data)

    def test_multi_company_models_have_a_company_rule(self):
        """Every suite model with a stored company_id has a global rule on the user's companies."""
        rules = self.env["ir.rule"].sudo().search([("global", "=", True), ("perm_read", "=", True)])
        ruled = {
            rule.model_id.model
            for rule in rules
            if "company_id" in (rule.domain_force or "") and "company_ids" in (rule.domain_force or "")
        }
        attempts, missing = 0, []
        for model in self.suite_models:
            field = self.env[model]._fields.get("company_id")
            if not field or not field.store or model in COMPANY_RULE_EXEMPT:
                continue
            attempts += 1
            if model not in ruled:
                missing.append(model)
        print(f"company rules: {attempts} multi-company models checked")
        self.assertFalse(missing, f"These multi-company models have no company record rule: {missing}")
