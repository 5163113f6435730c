"""Orders: sales orders through the order gate, against Odoo's plain confirmation in the same run.

Run: BENCH_DB=<db> scripts/bench.sh bench/bench_orders.py [--orders 1000] [--statements K]
(--statements K prints the K costliest statement shapes of the baseline and of the approve call)
Figures (each measured call is its own transaction, committed, as over RPC):
- baseline: N quotations of one stockable line confirmed by Odoo's own `action_confirm`
  (the gate's override skipped: what Odoo does without this addon), deliveries and all;
- the same through the gate with no policy on sales orders (figures refreshed, policies
  asked, none governs);
- N quotations a one-step policy governs (over the customer's credit limit): Confirm moves
  them to To Approve in one call, one approve call confirms them all;
- the ratio governed (request + approve) / baseline, for time, CPU and queries: goal ≤ 1.2.
"""

from common import Measure, environment, parse_args, print_statements, row, statement_times

FIGURES = ("seconds", "cpu", "queries")


def main():
    args = parse_args(__doc__, orders="1000", statements="0")
    with environment(args.db) as env:
        run(env, int(args.orders), statements=int(args.statements))


def _setup(env):
    env["svc.approval.policy"].search([("model_name", "=", "sale.order")]).active = False
    users = env["res.users"].with_context(no_reset_password=True)
    salesperson = users.create(
        {"name": "Bench salesperson", "login": "bench_so_salesperson",
         "groups_id": [(6, 0, env.ref("sales_team.group_sale_salesman").ids)]}
    )  # fmt: skip
    approver = users.create(
        {"name": "Bench finance", "login": "bench_so_finance",
         "groups_id": [(6, 0, env.ref("account.group_account_manager").ids)]}
    )  # fmt: skip
    free = env["res.partner"].create({"name": "Bench Customer", "is_company": True})
    limited = env["res.partner"].create(
        {"name": "Bench Limited Customer", "is_company": True, "credit_limit": 1}
    )
    product = env["product.product"].create(
        {"name": "Bench Pump", "detailed_type": "product", "list_price": 100.0, "standard_price": 60.0,
         "taxes_id": [(5, 0, 0)]}
    )  # fmt: skip
    env.cr.commit()
    return salesperson, approver, free, limited, product


def _orders(env, salesperson, customer, product, count):
    """`count` quotations, committed: what a measured call finds in the database."""
    orders = (
        env["sale.order"]
        .with_user(salesperson)
        .with_context(tracking_disable=True)
        .create(
            [{"partner_id": customer.id, "user_id": salesperson.id,
              "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1, "tax_id": []})]}
             for _i in range(count)]
        )
    )  # fmt: skip
    env.cr.commit()
    return orders.browse(orders.ids).with_user(salesperson)


def run(env, count, statements=0):
    # importable once parse_args set the addons path up
    from odoo.addons.svc_order_orchestration.models.sale_order import SaleOrder as GatedSaleOrder

    salesperson, approver, free, limited, product = _setup(env)
    print(f"-- {count} sales orders, one stockable line each, all in one call")
    # the first confirmations of a process pay its warm-up (caches, templates): not the baseline
    super(GatedSaleOrder, _orders(env, salesperson, free, product, 20)).action_confirm()
    _orders(env, salesperson, free, product, 20).action_confirm()
    env.cr.commit()

    plain = _orders(env, salesperson, free, product, count)
    with statement_times(env.cr) as shapes, Measure(env) as baseline:
        super(GatedSaleOrder, plain).action_confirm()
        env.cr.commit()
    row("baseline: Odoo's own action_confirm", count, baseline)
    if statements:
        print_statements(shapes, count, top=statements)
    assert set(plain.mapped("state")) == {"sale"}

    ungated = _orders(env, salesperson, free, product, count)
    with Measure(env) as no_policy:
        ungated.action_confirm()
        env.cr.commit()
    row("gate, no policy governs", count, no_policy)
    assert set(ungated.mapped("state")) == {"sale"}

    env["svc.approval.policy"].create(
        {"name": "Bench: credit", "model_id": env["ir.model"]._get_id("sale.order"),
         "domain": "[('svc_credit_limit_exceeded', '=', True)]",
         "step_ids": [(0, 0, {"name": "Finance", "approver_type": "user", "user_ids": [(6, 0, approver.ids)],
                              "sla_hours": 0})]}
    )  # fmt: skip
    warm_up = _orders(env, salesperson, limited, product, 20)
    warm_up.action_confirm()
    warm_up.with_user(approver).action_approve()
    env.cr.commit()

    governed = _orders(env, salesperson, limited, product, count)
    with Measure(env) as request:
        governed.action_confirm()
        env.cr.commit()
    row("governed: Confirm = request", count, request)
    assert set(governed.mapped("state")) == {"to_approve"}
    with statement_times(env.cr) as shapes, Measure(env) as approve:
        governed.with_user(approver).action_approve()
        env.cr.commit()
    row("governed: approve = confirm", count, approve)
    if statements:
        print_statements(shapes, count, top=statements)
    assert set(governed.mapped("state")) == {"sale"}

    print(f"-- per sales order, {count} orders (wall ms / CPU ms of this thread / SQL queries)")
    base = [getattr(baseline, attr) / count for attr in FIGURES]
    gate = [getattr(no_policy, attr) / count for attr in FIGURES]
    gov = [(getattr(request, attr) + getattr(approve, attr)) / count for attr in FIGURES]
    print(f"Odoo's own action_confirm            {_figures(base)}")
    print(f"gate, no policy governs              {_figures(gate)}")
    print(f"governed: request + approve          {_figures(gov)}")
    ratios = "  ".join(f"{name} {g / b:.2f}x" for name, g, b in zip(FIGURES, gov, base, strict=True) if b)
    print(f"governed / baseline                  {ratios}   goal <= 1.2x")
    ratios = "  ".join(f"{name} {g / b:.2f}x" for name, g, b in zip(FIGURES, gate, base, strict=True) if b)
    print(f"ungoverned / baseline                {ratios}")


def _figures(values):
    seconds, cpu, queries = values
    return f"{seconds * 1000:8.3f} ms  {cpu * 1000:8.3f} ms CPU  {queries:7.2f} queries"


if __name__ == "__main__":
    main()
