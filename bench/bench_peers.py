"""svc-ops next to its OCA peers, in one run, on one database (issue 24, first cut).

Run: make bench-peers (scripts/bench_peers.sh [--n 1000] [--one_by_one N] [--runs 3])
The database holds the five svc-ops addons and OCA's base_tier_validation,
purchase_tier_validation and stock_request side by side. Both approval modules act on
purchase.order: each side is measured with the other's rule disabled (the svc-ops purchase
order policy archived while OCA's tier definition decides, and the other way round), each
with one single-approver rule, the shape of the issue-3 reference.

Workloads, N purchase orders of one catalog line, each call committed as over RPC:
1. put N orders under approval in one call: svc-ops `button_confirm` (a policy governs the
   order: it goes to 'To Approve') against OCA `request_validation` (a tier definition);
2. the approver decides them one by one, each call its own transaction and a cold record
   cache (env.invalidate_all(), as a new request starts; Odoo's ormcache stays warm, as in
   a running worker): svc-ops `action_approve` (which confirms the order, closes the
   approver's to-do and sends the requester's notice) against OCA `validate_tier` then
   `button_confirm` (two clicks: OCA's approve does not confirm); the review alone is
   printed as well;
3. the approver decides N in one call (svc-ops `action_approve` on the batch; OCA
   `validate_tier` per order, its method takes one record, then one `button_confirm`);
4. the approver's "To Approve" list at N pending: the first page (80) and the count,
   svc-ops `can_approve` against OCA `can_review`.
Each figure is the median of --runs runs; the load average is the 1-minute one, lowest and
highest over the runs' measurements of that row.
"""

import os
import statistics

from common import Measure, environment, parse_args

WORKLOADS = (
    ("request", "1. put N under approval (one call)"),
    ("one_by_one", "2. decide one by one -> confirmed PO"),
    ("review_only", "2b. the same, the review click alone"),
    ("one_call", "3. decide N in one call -> confirmed"),
    ("to_approve", "4. 'To Approve' list (page + count)"),
)


def main():
    args = parse_args(__doc__, n="1000", one_by_one="", runs="3")
    count = int(args.n)
    one_by_one = int(args.one_by_one or count)
    with environment(args.db) as env:
        Bench(env, count, one_by_one).run(int(args.runs))


class Bench:
    def __init__(self, env, count, one_by_one):
        self.env, self.count, self.one_by_one = env, count, one_by_one
        # figures[(workload, side)] = [(ms per doc, queries per doc, load average), ...]
        self.figures = {}
        self._setup()

    def _setup(self):
        env = self.env
        env["svc.approval.policy"].search([("model_name", "=", "purchase.order")]).active = False
        env["tier.definition"].search([("model", "=", "purchase.order")]).active = False
        users = env["res.users"].with_context(no_reset_password=True)
        self.buyer = users.create(
            {"name": "Peers buyer", "login": "peers_buyer",
             "groups_id": [(6, 0, env.ref("svc_procurement_orchestration.group_procurement_user").ids)]}
        )  # fmt: skip
        self.approver = users.create(
            {"name": "Peers approver", "login": "peers_approver",
             "groups_id": [(6, 0, env.ref("svc_procurement_orchestration.group_procurement_manager").ids)]}
        )  # fmt: skip
        self.vendor = env["res.partner"].create(
            {"name": "Peers Vendor", "is_company": True, "supplier_risk": "low"}
        )
        self.product = env["product.product"].create(
            {"name": "Peers Laptop", "detailed_type": "consu",
             "seller_ids": [(0, 0, {"partner_id": self.vendor.id, "price": 100.0})]}
        )  # fmt: skip
        po_model = env["ir.model"]._get_id("purchase.order")
        self.policy = env["svc.approval.policy"].create(
            {"name": "Peers: purchasing manager", "model_id": po_model, "active": False,
             "domain": "[('partner_ref', 'like', 'svc-')]",
             "step_ids": [(0, 0, {"name": "Manager", "approver_type": "user",
                                  "user_ids": [(6, 0, self.approver.ids)], "sla_hours": 0})]}
        )  # fmt: skip
        self.tier = env["tier.definition"].create(
            {"name": "Peers: purchasing manager", "model_id": po_model, "active": False,
             "review_type": "individual", "reviewer_id": self.approver.id,
             "definition_domain": "[('partner_ref', 'like', 'oca-')]"}
        )  # fmt: skip
        env.cr.commit()
        # the first calls of a process pay its warm-up (caches, templates): not measured
        for side in ("oca", "svc"):
            self._enable(side)
            orders = self._orders(20, f"{side}-warm-up")
            self._request(side, orders)
            self._decide_one_call(side, orders)
            self.env.cr.commit()

    def _enable(self, side):
        """One rule decides: the other side's is archived."""
        self.policy.active = side == "svc"
        self.tier.active = side == "oca"
        self.env.cr.commit()

    def _orders(self, count, tag):
        orders = (
            self.env["purchase.order"].with_user(self.buyer).with_context(tracking_disable=True).create(
                [{"partner_id": self.vendor.id, "partner_ref": f"{tag}-{i}",
                  "order_line": [(0, 0, {"product_id": self.product.id, "product_qty": 1, "price_unit": 100.0})]}
                 for i in range(count)]
            )
        )  # fmt: skip
        self.env.cr.commit()
        self.env.invalidate_all()
        return orders.ids

    def _browse(self, ids, user):
        return self.env["purchase.order"].with_user(user).browse(ids)

    def _request(self, side, ids):
        orders = self._browse(ids, self.buyer)
        if side == "svc":
            orders.button_confirm()
            assert set(orders.mapped("state")) == {"to approve"}
        else:
            orders.request_validation()
            assert len(orders.review_ids) == len(ids), "one review per order"
        self.env.cr.commit()

    def _decide_one_call(self, side, ids):
        orders = self._browse(ids, self.approver)
        if side == "svc":
            orders.action_approve()
        else:
            for order in orders:
                order.validate_tier()
            orders.button_confirm()
        assert set(orders.mapped("state")) == {"purchase"}, set(orders.mapped("state"))
        self.env.cr.commit()

    def _record(self, workload, side, measure, count):
        self.figures.setdefault((workload, side), []).append(
            (measure.seconds * 1000 / count, measure.queries / count, os.getloadavg()[0])
        )

    def run(self, runs):
        print(f"-- {self.count} purchase orders (one by one: {self.one_by_one}), {runs} runs, "
              f"load average {os.getloadavg()[0]:.2f} at the start")  # fmt: skip
        for number in range(1, runs + 1):
            for side in ("oca", "svc"):
                self._enable(side)
                self._run_side(side)
                print(f"   run {number} {side}: done, load average {os.getloadavg()[0]:.2f}", flush=True)
        self._print()

    def _run_side(self, side):
        env, count = self.env, self.count
        batch = self._orders(count, f"{side}-batch")
        with Measure(env) as request:
            self._request(side, batch)
        self._record("request", side, request, count)

        # 4. the approver's list at `count` pending; fresh planner statistics as autovacuum keeps
        env.cr.execute("ANALYZE purchase_order, tier_review, svc_approval_request")
        field = "can_approve" if side == "svc" else "can_review"
        domain = [(field, "=", True)]
        orders = env["purchase.order"].with_user(self.approver)
        orders.search(domain, limit=80)  # a user's second visit: rules and user cached
        env.invalidate_all()
        with Measure(env) as listing:
            orders.search(domain, limit=80)
            found = orders.search_count(domain)
        assert found == count, (side, found)
        self._record("to_approve", side, listing, 1)

        # 3. decide them all in one call
        env.invalidate_all()
        with Measure(env) as one_call:
            self._decide_one_call(side, batch)
        self._record("one_call", side, one_call, count)

        # 2. one by one, each call its own transaction with a cold record cache
        singles = self._orders(self.one_by_one, f"{side}-single")
        self._request(side, singles)
        review = Measure(env)
        with Measure(env) as clicks:
            for order_id in singles:
                env.invalidate_all()
                order = self._browse(order_id, self.approver)
                if side == "svc":
                    order.action_approve()
                    env.cr.commit()
                    continue
                with Measure(env) as click:
                    order.validate_tier()
                    env.cr.commit()
                review.seconds += click.seconds
                review.queries += click.queries
                env.invalidate_all()
                self._browse(order_id, self.approver).button_confirm()
                env.cr.commit()
        assert set(self._browse(singles, self.approver).mapped("state")) == {"purchase"}
        self._record("one_by_one", side, clicks, len(singles))
        if side == "oca":
            self._record("review_only", side, review, len(singles))
        else:  # svc-ops's one click is its review: the same figures
            self._record("review_only", side, clicks, len(singles))

    def _print(self):
        print()
        print("| workload | OCA peer ms/doc | OCA queries/doc | svc-ops ms/doc | svc-ops queries/doc "
              "| ratio time (peer/svc-ops) | ratio queries | load average |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|")
        for workload, label in WORKLOADS:
            peer, ours = self.figures.get((workload, "oca")), self.figures.get((workload, "svc"))
            if not peer or not ours:
                continue
            unit = " (ms, queries per list)" if workload == "to_approve" else ""
            p_ms, p_q = (statistics.median(f[i] for f in peer) for i in (0, 1))
            s_ms, s_q = (statistics.median(f[i] for f in ours) for i in (0, 1))
            loads = [f[2] for f in peer + ours]
            print(f"| {label}{unit} | {p_ms:.2f} | {p_q:.2f} | {s_ms:.2f} | {s_q:.2f} | "
                  f"{p_ms / s_ms:.2f}x | {p_q / s_q if s_q else float('inf'):.2f}x | "
                  f"{min(loads):.1f}-{max(loads):.1f} |")  # fmt: skip
        print("ratio > 1: svc-ops ahead. Each figure is the median of the runs; all runs:")
        for (workload, side), values in sorted(self.figures.items()):
            runs = ", ".join(f"{ms:.2f} ms {q:.2f} q" for ms, q, _load in values)
            print(f"  {workload:<12} {side}: {runs}")


if __name__ == "__main__":
    main()
