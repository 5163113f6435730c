"""Approval engine: request, approve and the "To Approve" search at 1,000 and 10,000 documents.

Run: scripts/bench.sh bench/bench_approval.py [--sizes 1000,10000]
Governs a benchmark-only document model (loaded like the engine's tests do) with one
policy of one single-approver step: the shape of the OCA base_tier_validation reference.
Figures: time and SQL queries per document for requesting approval of all documents in
one call (with the approver's to-do on each document, and without: the same engine on a
model without activities) and for approving them (one by one as the UI does, with and without the
requester notification, and all in one call as an RPC client may), and the time and query count of the
"To Approve" search (documents the approver can approve, and the request list) with
N pending requests in the database. Also the route preview of all documents in one call
(goal < 2 ms each), and approving in one call with and without the audit log's hash chain
(goal: the chain adds at most 20%); the chain is computed when the transaction commits,
so those rows run the commit's chaining step inside the measure.
"""

from unittest.mock import patch

from common import Measure, environment, parse_args, row
from odoo_test_helper import FakeModelLoader


def main():
    args = parse_args(__doc__, sizes="1000,10000")
    from odoo.addons.svc_approval_matrix.tests.models import SvcApprovalPlainDocument, SvcApprovalTestDocument

    with environment(args.db) as env:
        loader = FakeModelLoader(env, "odoo.addons.svc_approval_matrix.tests.bench")
        loader.backup_registry()
        loader.update_registry((SvcApprovalTestDocument, SvcApprovalPlainDocument))
        try:
            run(env, [int(size) for size in args.sizes.split(",")])
        finally:
            loader.restore_registry()


def run(env, sizes):
    users = env["res.users"].with_context(no_reset_password=True)
    group_user = env.ref("base.group_user")
    requester = users.create(
        {"name": "Bench requester", "login": "bench_requester", "groups_id": [(6, 0, group_user.ids)]}
    )
    approver = users.create(
        {"name": "Bench approver", "login": "bench_approver", "groups_id": [(6, 0, group_user.ids)]}
    )
    for model in env["ir.model"]._get("svc.approval.test.document") | env["ir.model"]._get(
        "svc.approval.test.plain"
    ):
        env["ir.model.access"].create(
            {
                "name": "bench",
                "model_id": model.id,
                "group_id": group_user.id,
                "perm_read": True,
                "perm_write": True,
                "perm_create": True,
            }
        )
        env["svc.approval.policy"].create(
            {"name": f"Bench: one reviewer ({model.model})", "model_id": model.id,
             "step_ids": [(0, 0, {"name": "Review", "approver_type": "user", "user_ids": [(6, 0, approver.ids)]})]}
        )  # fmt: skip
    documents = env["svc.approval.test.document"].with_user(requester).with_context(tracking_disable=True)
    plain = env["svc.approval.test.plain"].with_user(requester).with_context(tracking_disable=True)
    for size in sizes:
        without = plain.create([{"name": f"P{size}-{i}", "amount": 10} for i in range(size)])
        with Measure(env) as measure:
            without.action_request_approval()
        row("request approval, no to-dos (one call)", size, measure)
        env.cr.commit()
        docs = documents.create([{"name": f"B{size}-{i}", "amount": 10} for i in range(size)])
        with Measure(env) as measure:
            env["svc.approval.policy"].with_user(requester).preview(docs._name, docs.ids)
        row("route preview (one call for all)", size, measure)
        with Measure(env) as measure:
            docs.action_request_approval()
            env["svc.approval.log"]._chain_flush()  # what the commit runs
        row("request approval + to-dos (one call)", size, measure)
        assert len(docs.activity_ids) == size, "one to-do per document"
        env.cr.commit()

        pending = env["svc.approval.request"].search_count([("state", "=", "pending")])
        # Fresh planner statistics, as autovacuum keeps them on a live database: without them
        # PostgreSQL plans the search for tables it believes empty.
        env.flush_all()
        env.cr.execute(
            "ANALYZE svc_approval_request, svc_approval_request_approver_rel, svc_approval_request_approved_rel, "
            "svc_approval_test_document"
        )
        for label, model_name, field_name in (
            ("'To Approve' documents (can_approve)", "svc.approval.test.document", "can_approve"),
            ("'To Approve' request list (can_decide)", "svc.approval.request", "can_decide"),
        ):
            model = env[model_name].with_user(approver)
            domain = [(field_name, "=", True)]
            model.search(domain, limit=80)  # warm the caches (rules, user) like a user's second visit
            with Measure(env) as page:  # what the list view asks: the first page and the count
                model.search(domain, limit=80)
                found = model.search_count(domain)
            with Measure(env) as everything:
                model.search(domain)
            print(f"{label:<44} {pending:>6} pending  first page + count {page.seconds * 1000:6.1f} ms "
                  f"{page.queries} queries; all {found} ids {everything.seconds * 1000:6.1f} ms "
                  f"{everything.queries} query")  # fmt: skip

        automation = env.ref("svc_approval_matrix.automation_notify_requester_on_decision")
        quarter, eighth = size // 4, size // 8
        log_class = type(env["svc.approval.log"])
        for label, batch, notify, one_call, chained in (
            ("approve one by one, requester notified", docs[:quarter], True, False, True),
            ("approve one by one, engine only", docs[quarter : 2 * quarter], False, False, True),
            ("approve in one call (RPC batch), notified", docs[2 * quarter : 3 * quarter], True, True, True),
            ("approve in one call, engine only, no chain", docs[3 * quarter : 3 * quarter + eighth], False, True,
             False),
            ("approve in one call, engine only, chained", docs[3 * quarter + eighth :], False, True, True),
            ("approve one by one, engine only, no to-dos", without[:quarter], False, False, True),
            ("approve in one call, engine only, no to-dos", without[quarter : 2 * quarter], False, True, True),
        ):  # fmt: skip
            automation.active = notify
            unchained = patch.object(log_class, "_chain_schedule", lambda self: None)
            if not chained:
                unchained.start()
            try:
                with Measure(env) as measure:
                    if one_call:
                        batch.with_user(approver).action_approve()
                    else:
                        for doc in batch.with_user(approver):
                            doc.action_approve()
                    env["svc.approval.log"]._chain_flush()  # what the commit runs
            finally:
                if not chained:
                    unchained.stop()
            row(label, len(batch), measure)
        automation.active = True
        assert set(docs.mapped("approval_state")) == {"approved"}, "every document ends approved"


if __name__ == "__main__":
    main()
