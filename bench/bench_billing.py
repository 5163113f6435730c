"""Timesheet compliance, retainer cron and billing readiness checks at two volumes.

Run: scripts/bench.sh bench/bench_billing.py [--employees 50,500] [--retainers 200,2000] [--orders 100,1000]

- Compliance: N employees x 4 ISO weeks of timesheets (one line per employee-week, half of
  them below the 90% threshold), then the compliance computation with reminders for the
  4 weeks (the weekly cron's work, over a wider range), then the same run again (nothing
  new to notify: the idempotent re-run). Employees are processed in batches of BATCH_SIZE
  (svc_timesheet_compliance.py); one reminder per employee lists their weeks below.
- Retainer cron: N prepaid-hours lines (a third at 50%, 85% and 100% consumed), the
  scheduled action that warns and flags them (activity, event, exhaustion exception) in
  batches of 1,000 lines; then its re-run.
- Readiness: N orders, each with a readiness over one week on one of N/10 projects with
  milestones, timesheets and a reinvoiced expense; action_check() on all of them (one batch).
Each runs in one transaction that is rolled back (bench/common.py). Printed: wall time, CPU
time of the thread (less sensitive to the machine's load), SQL queries, and queries per
batch. Goals (the issue): each under 10 s at the larger volume, queries per batch constant
as the volume grows tenfold.
"""

import math
import time
from datetime import date, timedelta

from common import Measure, environment, parse_args

MONDAY = date(2026, 3, 2)
RETAINER_BATCH = 1000  # the retainer cron's default batch


class CpuMeasure(Measure):
    """Measure plus the CPU time of this thread (less sensitive to the machine's load)."""

    def __enter__(self):
        result = super().__enter__()  # flushes the fixture first
        self._cpu = time.thread_time()
        return result

    def __exit__(self, *exc):
        super().__exit__(*exc)
        self.cpu = time.thread_time() - self._cpu


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


def line(label, size, measure, batches=1):
    print(
        f"{label:<58} n={size:>5}  {measure.seconds:7.3f} s  cpu {measure.cpu:7.3f} s  {measure.queries:>5} queries"
        f"  {batches:>2} batches  {measure.queries / batches:6.1f} queries/batch"
    )


def compliance(env, size):
    from odoo.addons.svc_resource_planning.models.svc_timesheet_compliance import BATCH_SIZE

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
    with CpuMeasure(env) as measure:
        rows = model.action_compute(MONDAY, last, employees.ids)
    batches = math.ceil(size / BATCH_SIZE)
    line(f"compliance {size} employees x 4 weeks ({rows} rows, reminders)", size, measure, batches)
    with CpuMeasure(env) as measure:
        model.action_compute(MONDAY, last, employees.ids)
    line("compliance re-run (nobody notified twice)", size, measure, batches)
    reminders = env["mail.mail"].search_count(
        [
            ("model", "=", "svc.timesheet.compliance"),
            ("res_id", "in", model.search([("employee_id", "in", employees.ids)]).ids),
        ]
    )
    reminded = model.search_count([("employee_id", "in", employees.ids), ("reminder_sent_at", "!=", False)])
    print(
        f"{'':<58} reminders sent: {reminders} (expected {size // 2}: one per employee below threshold, "
        f"listing the {reminded} weeks below)"
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
    with CpuMeasure(env) as measure:
        notified = model._cron_svc_check_retainers()
    line(
        f"retainer cron over {size} lines ({notified} crossed a threshold)",
        size, measure, math.ceil(notified / RETAINER_BATCH),
    )  # fmt: skip
    with CpuMeasure(env) as measure:
        model._cron_svc_check_retainers()
    line("retainer cron re-run (nothing new)", size, measure)
    exceptions = env["svc.exception"].search_count(
        [
            ("res_model", "=", "sale.order.line"),
            ("res_id", "in", lines.ids),
            ("key", "=", "retainer_exhausted"),
        ]
    )
    print(f"{'':<58} exhaustion exceptions: {exceptions} (one per exhausted line)")


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
    with CpuMeasure(env) as measure:
        readinesses.action_check()
    blocked = sum(1 for readiness in readinesses if readiness.readiness_state == "blocked")
    line(f"readiness checks over {size} orders ({blocked} blocked)", size, measure)
    with CpuMeasure(env) as measure:
        readinesses.action_check()
    line("readiness re-check", size, measure)


if __name__ == "__main__":
    main()
