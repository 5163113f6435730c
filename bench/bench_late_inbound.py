"""Late inbound: the check when one product's receipt moves with N open demands on it.

Run: scripts/bench.sh bench/bench_late_inbound.py [--demands 2000] [--users 10] [--repeat 5]

One storable product, 500 on hand in WH/Stock, N customer deliveries of 1 unit each (one
transfer per demand, a deadline spread over days 3 to 33, one of `--users` salespeople
responsible), and one confirmed purchase order of 2,000 whose receipt is planned on day 1,
so everything is covered. An endpoint subscribes to purchase.inbound_late, so publishing
writes a real outbox row. Then the receipt's scheduled date is written (what a buyer,
shipment.update or an acknowledgment does) and the whole write is timed, the check included:

- on time -> on time: the check runs and finds nothing (the cost every receipt date change pays);
- on time -> day 20: first detection: about 630 demands short, one exception, one activity
  per salesperson, one outbox row;
- day 20 -> day 25: refresh: the exception and the activities are updated, a new row published;
- nothing moved, checked again (action_check_late_inbound): exception refreshed, nothing else;
- day 25 -> day 1: recovery: exception resolved, activities closed.

The detection query alone (`stock.move._svc_late_demands`) is timed separately, median of
`--repeat` runs. `--statements K` prints the K costliest statement shapes of each step.
Goal (the issue): under 200 ms.
"""

import statistics
import time
from datetime import datetime, timedelta

from common import Measure, environment, parse_args, print_statements, statement_times

from odoo import fields


def main():
    args = parse_args(__doc__, demands="2000", users="10", repeat="5", profile="", statements="0")
    with environment(args.db) as env:
        run(
            env,
            int(args.demands),
            int(args.users),
            int(args.repeat),
            bool(args.profile),
            int(args.statements),
        )


def run(env, demands, users, repeat, profile=False, statements=0):
    warehouse = env.ref("stock.warehouse0")
    stock, customers = warehouse.lot_stock_id, env.ref("stock.stock_location_customers")
    vendor = env["res.partner"].create({"name": "Bench Vendor", "is_company": True})
    customer = env["res.partner"].create({"name": "Bench Customer"})
    product = env["product.product"].create(
        {
            "name": "Bench Desk",
            "type": "product",
            "seller_ids": [(0, 0, {"partner_id": vendor.id, "price": 10})],
        }
    )
    salespeople = env["res.users"].create(
        [{"name": f"Bench Sales {index}", "login": f"bench_sales_{index}"} for index in range(users)]
    )
    env["stock.quant"]._update_available_quantity(product, stock, 500.0)
    # The bench receiver listens on 127.0.0.1: allow that host (svc_ops_base.url_guard).
    env["ir.config_parameter"].sudo().set_param("svc_ops_base.allow_private_endpoints", "127.0.0.1")
    env["svc.webhook.endpoint"].create(
        {"name": "Bench sink", "url": "http://127.0.0.1:9/hook",
         "event_type_ids": [(6, 0, env.ref("svc_procurement_orchestration.event_type_purchase_inbound_late").ids)]}
    )  # fmt: skip
    today = datetime.combine(fields.Date.today(), datetime.min.time()) + timedelta(hours=10)
    started = time.perf_counter()
    pickings = env["stock.picking"].create(
        [
            {"picking_type_id": warehouse.out_type_id.id, "partner_id": customer.id,
             "location_id": stock.id, "location_dest_id": customers.id,
             "user_id": salespeople[index % users].id,
             "move_ids": [(0, 0, {"name": product.name, "product_id": product.id, "product_uom_qty": 1,
                                  "product_uom": product.uom_id.id, "location_id": stock.id,
                                  "location_dest_id": customers.id,
                                  "date": today + timedelta(days=3, minutes=index * 30 * 24 * 60 // demands),
                                  "date_deadline": today + timedelta(days=3, minutes=index * 30 * 24 * 60 // demands)})]}
            for index in range(demands)
        ]
    )  # fmt: skip
    pickings.action_confirm()
    order = env["purchase.order"].create(
        {"partner_id": vendor.id,
         "order_line": [(0, 0, {"product_id": product.id, "product_qty": 2000, "price_unit": 10.0,
                                "date_planned": today + timedelta(days=1)})]}
    )  # fmt: skip
    order.button_confirm()
    receipt = order.picking_ids
    env.flush_all()
    env.cr.execute("ANALYZE stock_move")
    env.cr.execute("ANALYZE stock_quant")
    print(f"setup: {demands} open demands in {demands} transfers, {users} salespeople, "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip

    def move_receipt(label, when):
        with statement_times(env.cr) as shapes, Measure(env) as measure:
            if when:
                receipt.scheduled_date = when
            else:
                order.action_check_late_inbound()
        exception = env["svc.exception"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", order.id), ("key", "=", "inbound_late")],
            order="id desc", limit=1,
        )  # fmt: skip
        activities = env["mail.activity"].search_count([("summary", "=", f"Late inbound: {order.name}")])
        rows = env["svc.outbox.event"].search_count(
            [("res_model", "=", "purchase.order"), ("res_id", "=", order.id)]
        )
        print(f"{label:<44} {measure.seconds * 1000:8.1f} ms  {measure.queries:>4} queries  "
              f"late demands {order.inbound_late_count:>5}  exception {exception.state or '-':<9} "
              f"open activities {activities:>3}  outbox rows {rows}")  # fmt: skip
        if statements:
            print_statements(shapes, 1, top=statements)

    if profile:  # --profile 1: where the first detection spends its time
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(setattr, receipt, "scheduled_date", today + timedelta(days=20))
        env.flush_all()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    move_receipt("receipt moved, still on time (day 1 -> 2)", today + timedelta(days=2))
    move_receipt("first detection (day 2 -> 20)", today + timedelta(days=20))
    durations, queries = [], 0
    for _attempt in range(repeat):
        env.invalidate_all()
        with Measure(env) as measure:
            late = env["stock.move"]._svc_late_demands(order.ids)
        durations.append(measure.seconds)
        queries = measure.queries
    print(f"{'detection query alone (median of ' + str(repeat) + ')':<44} "
          f"{statistics.median(durations) * 1000:8.1f} ms  {queries:>4} queries  "
          f"late demands {len(late.get(order.id, [])):>5}")  # fmt: skip
    move_receipt("refresh, later again (day 20 -> 25)", today + timedelta(days=25))
    move_receipt("nothing moved, checked again", None)
    move_receipt("recovery (day 25 -> 1)", today + timedelta(days=1))


if __name__ == "__main__":
    main()
