"""Material requests: approve-and-reserve throughput, and the priority reservation sweep.

Run: scripts/bench.sh bench/bench_material_requests.py [--sizes 1000,5000] [--sweep 5000]
1. N one-line requests (one unit each, pulled from stock to the project's location),
   submitted by an RPC-like client in calls of 100 (each its own transaction) under a
   policy that lets them proceed: time and SQL queries per request (approval, transfer, reservation), and the
   CPU time of this process per request (what a loaded machine inflates least).
   --statements K prints the K statement shapes that cost the most time per request.
2. The priority sweep over --sweep open requests competing for half as many units:
   queries per batch of 200, wall and CPU time per batch (first, last, mean: does a batch
   get slower as the sweep goes?), and the memory peak of the first and last batch
   (tracemalloc, on those two batches only: it triples the CPU time of what it traces);
   --sweep 0 skips it.
"""

import os
import time
import tracemalloc
from datetime import timedelta

from common import Measure, environment, parse_args, print_statements, row, statement_times

from odoo import fields


def main():
    args = parse_args(__doc__, sizes="1000,5000", sweep="5000", statements="0")
    with environment(args.db) as env:
        run(env, [int(size) for size in args.sizes.split(",")], int(args.sweep), int(args.statements))


def setup(env):
    model = env["ir.model"]._get("svc.material.request")
    env["svc.approval.policy"].search([("model_id", "=", model.id)]).active = False
    env["svc.approval.policy"].create({"name": "Bench: proceed", "model_id": model.id})
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    project = env["project.project"].create({"name": "Bench project"})
    return warehouse, project


def make_requests(env, warehouse, project, product, size, priority=lambda i: "0", days=lambda i: 5):
    today = fields.Date.today()
    return env["svc.material.request"].create(
        [{"project_id": project.id, "warehouse_id": warehouse.id, "priority": priority(i),
          "needed_date": today + timedelta(days=days(i)),
          "line_ids": [(0, 0, {"product_id": product.id, "quantity": 1})]} for i in range(size)]
    )  # fmt: skip


def run(env, sizes, sweep, statements=0):
    warehouse, project = setup(env)
    quants = env["stock.quant"]
    for size in sizes:
        product = env["product.product"].create({"name": f"Bench item {size}", "detailed_type": "product"})
        quants._update_available_quantity(product, warehouse.lot_stock_id, float(size))
        requests = make_requests(env, warehouse, project, product, size)
        env.cr.commit()
        with statement_times(env.cr) as shapes, Measure(env) as measure:
            cpu_start = time.process_time()
            for start in range(0, size, 100):
                # as an RPC client's call: a fresh recordset, and its own transaction
                requests.browse(requests.ids[start : start + 100]).action_submit()
                env.cr.commit()
        cpu = time.process_time() - cpu_start
        row("submit + approve + transfer + reserve", size, measure)
        if statements:
            print_statements(shapes, size, top=statements)
        print(
            f"  CPU time of the process: {cpu / size * 1000:.2f} ms/doc (load average {os.getloadavg()[0]:.1f})"
        )
        assert set(requests.mapped("availability")) == {"full"}, "every request is reserved"
        env.invalidate_all()
    if sweep:
        run_sweep(env, warehouse, project, sweep)


def run_sweep(env, warehouse, project, sweep):
    quants = env["stock.quant"]
    product = env["product.product"].create({"name": "Bench scarce item", "detailed_type": "product"})
    quants._update_available_quantity(product, warehouse.lot_stock_id, float(sweep // 2))
    # the first half (normal, needed late) takes the stock; the second half (critical, needed soon) waits
    requests = make_requests(env, warehouse, project, product, sweep,
                             priority=lambda i: "0" if i < sweep // 2 else "3",
                             days=lambda i: 12 if i < sweep // 2 else 3)  # fmt: skip
    for start in range(0, sweep, 100):
        requests.browse(requests.ids[start : start + 100]).action_submit()
        env.cr.commit()
    batch_size = 200
    model = env["svc.material.request"]
    horizon_domain = [("state", "in", ("approved", "in_progress")), ("availability", "!=", "full")]
    waiting = model.search(horizon_domain, order="priority desc, needed_date, id")
    assert waiting, "half of the requests wait for stock"
    batches = [waiting[start : start + batch_size] for start in range(0, len(waiting), batch_size)]
    # tracemalloc triples the CPU time of the code it traces: the memory is measured on the first
    # and the last batch, the time on the batches between them (all of them below three batches)
    traced = {0, len(batches) - 1} if len(batches) >= 3 else set()
    timings, peaks, moved = [], [], 0
    with Measure(env) as measure:
        for index, batch in enumerate(batches):
            if index in traced:
                tracemalloc.start()
            wall, cpu = time.perf_counter(), time.process_time()
            moved += batch._reserve_by_priority()
            env.cr.commit()  # as the scheduled action does; the batch's writes belong to its time
            if index in traced:
                peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
                tracemalloc.stop()
            else:
                timings.append((time.perf_counter() - wall, time.process_time() - cpu))
    walls, cpus = [wall for wall, _cpu in timings], [cpu for _wall, cpu in timings]
    print(f"priority sweep: {sweep} open requests, {len(waiting)} short, {moved} reservations moved, "
          f"{len(batches)} batches of {batch_size}")  # fmt: skip
    print(f"  {measure.queries / max(1, len(batches)):.0f} queries per batch; {len(timings)} untraced batches: "
          f"{sum(walls) / len(walls):.2f} s per batch (first {walls[0]:.2f}, last {walls[-1]:.2f}), "
          f"CPU {sum(cpus) / len(cpus):.2f} s per batch (first {cpus[0]:.2f}, last {cpus[-1]:.2f}), "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    if peaks:
        print(f"  memory peak (tracemalloc): first batch {peaks[0]:.1f} MiB, last batch {peaks[-1]:.1f} MiB")


if __name__ == "__main__":
    main()
