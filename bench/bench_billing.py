"""Timesheet compliance, retainer cron and billing readiness checks at two volumes.

Run: scripts/bench.sh bench/bench_billing.py [--employees 50,500] [--retainers 200,2000] [--orders 100,1000]

- Compliance: N employees x 4 ISO weeks of timesheets (one line per employee-week, half of
  them below the 90% threshold), then the compliance computation with reminders for the
  4 weeks (the weekly cron's work, over a wider range), then the same run again (nothing
  new to notify: the idempotent re-run).
- Retainer cron: N prepaid-hours lines (a third at 50%, 85% and 100% consumed), the
  scheduled action that warns and flags them; then its re-run.
- Readiness: N orders, each with a readiness over one week on one of N/10 projects with
  milestones, timesheets and a reinvoiced expense; action_check() on all of them.
Each runs in one transaction that is rolled back (bench/common.py). Goals (the issue):
each under 10 s at the larger volume, queries constant as the volume grows tenfold.
"""

from datetime import date, timedelta

from common import Measure, environment, parse_args

MONDAY = date(2026, 3, 2)


def main():
    args = parse_args(__doc__, employees="50,500", retainers="200,2000", orders="100,1000")
    with environment(args.db) as env:
        env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True, mail_create_nolog=True))
        for size in [int(size) for size in args.employees.split(",")]:
            compliance(env, size)
        for size in [int(size) for size in args.retainers.split(",")]:
            retainers(env, size)
        for size in [int(size) for size in args.orders.split(",")]:
            readiness(env, size)


def line(label, size, measure):
    print(f"{label:<58} n={size:>5}  {measure.seconds:7.3f} s  {measure.queries:>5} queries")


def compliance(env, size):
    calendar = env["resource.calendar"].create({"name": f"Bench 40h {size}", "tz": "UTC"})
    employees = env["hr.employee"].create(
        [{"name": f"Bench employee {size}-{i}", "resource_calendar_id": calendar.id, "tz": "UTC",
          "work_email": f"bench{size}-{i}@example.com"} for i in range(size)]
    )  # fmt: skip
    project = env["project.project"].create({"name": f"Bench compliance {size}", "allow_timesheets": True})
    env["account.analytic.line"].create([
        {"name": "work", "project_id": project.id, "employee_id": employee.id,
         "date": MONDAY + timedelta(weeks=week), "unit_amount": 40 if index % 2 else 20}
        for index, employee in enumerate(employees) for week in range(4)
    ])  # fmt: skip
    model = env["svc.timesheet.compliance"]
    last = MONDAY + timedelta(weeks=3)
    with Measure(env) as measure:
        rows = model.action_compute(MONDAY, last, employees.ids)
    line(f"compliance {size} employees x 4 weeks ({rows} rows, reminders)", size, measure)
    with Measure(env) as measure:
        model.action_compute(MONDAY, last, employees.ids)
    line("compliance re-run (nobody notified twice)", size, measure)
    reminders = env["mail.mail"].search_count(
        [
            ("model", "=", "svc.timesheet.compliance"),
            ("res_id", "in", model.search([("employee_id", "in", employees.ids)]).ids),
        ]
    )
    print(
        f"{'':<58} reminders sent: {reminders} (expected {(size + 1) // 2 * 4}: the employees below threshold, once per week)"
    )


def retainers(env, size):
    product = env["product.product"].create(
        {"name": f"Bench retainer {size}", "type": "service", "service_policy": "ordered_prepaid",
         "service_tracking": "no", "uom_id": env.ref("uom.product_uom_hour").id,
         "uom_po_id": env.ref("uom.product_uom_hour").id, "list_price": 100}
    )  # fmt: skip
    partner = env["res.partner"].create({"name": f"Bench customer {size}"})
    per_order = 10
    orders = env["sale.order"].create([
        {"partner_id": partner.id, "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 10})
                                                  for _i in range(per_order)]}
        for _o in range(size // per_order)
    ])  # fmt: skip
    orders.action_confirm()
    lines = orders.order_line
    for index, consumed in enumerate((5.0, 8.5, 10.0)):
        lines.filtered(lambda so_line, i=index: so_line.id % 3 == i).write({"qty_delivered": consumed})
    env.flush_all()
    model = env["sale.order.line"]
    with Measure(env) as measure:
        notified = model._cron_svc_check_retainers()
    line(f"retainer cron over {size} lines ({notified} crossed a threshold)", size, measure)
    with Measure(env) as measure:
        model._cron_svc_check_retainers()
    line("retainer cron re-run (nothing new)", size, measure)


def readiness(env, size):
    partner = env["res.partner"].create({"name": f"Bench client {size}"})
    product = env["product.product"].create(
        {"name": f"Bench service {size}", "type": "service", "list_price": 10}
    )
    projects = env["project.project"].create(
        [{"name": f"Bench billing {size}-{i}", "allow_timesheets": True} for i in range(max(size // 10, 1))]
    )
    orders = env["sale.order"].create([
        {"partner_id": partner.id, "order_line": [(0, 0, {"product_id": product.id})]} for _i in range(size)
    ])  # fmt: skip
    employee = env["hr.employee"].create({"name": f"Bench consultant {size}"})
    env["project.milestone"].create([
        {"name": f"M{i}", "project_id": project.id, "deadline": MONDAY + timedelta(days=2), "is_reached": i % 2 == 0}
        for i, project in enumerate(projects)
    ])  # fmt: skip
    env["account.analytic.line"].create([
        {"name": "work", "project_id": project.id, "employee_id": employee.id, "date": MONDAY, "unit_amount": 4}
        for project in projects
    ])  # fmt: skip
    expense_product = env["product.product"].create(
        {"name": f"Bench travel {size}", "can_be_expensed": True, "expense_policy": "cost"}
    )
    env["hr.expense"].create([
        {"name": "Taxi", "employee_id": employee.id, "product_id": expense_product.id, "total_amount_currency": 20,
         "sale_order_id": order.id, "date": MONDAY} for order in orders[::3]
    ])  # fmt: skip
    readinesses = env["svc.billing.readiness"].create([
        {"sale_order_id": order.id, "project_id": projects[i % len(projects)].id, "period_start": MONDAY,
         "period_end": MONDAY + timedelta(days=6)} for i, order in enumerate(orders)
    ])  # fmt: skip
    with Measure(env) as measure:
        readinesses.action_check()
    blocked = sum(1 for readiness in readinesses if readiness.readiness_state == "blocked")
    line(f"readiness checks over {size} orders ({blocked} blocked)", size, measure)
    with Measure(env) as measure:
        readinesses.action_check()
    line("readiness re-check", size, measure)


if __name__ == "__main__":
    main()
