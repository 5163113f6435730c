"""Shared plumbing of the benchmarks: open an Odoo environment, time and count SQL queries.

scripts/bench.sh runs each benchmark on a throwaway copy of the bench database. A benchmark
commits where the call it measures would end its transaction (an RPC call, a cron batch):
one long uncommitted transaction keeps every row version it wrote, and its writes slow down
as it grows, which no user's call sees.
"""

import argparse
import collections
import contextlib
import re
import time

import odoo
from odoo import SUPERUSER_ID, api


def parse_args(description, **extra):
    parser = argparse.ArgumentParser(description=description)
    for option in (
        "--db",
        "--config",
        "--addons-path",
        "--db_host",
        "--db_port",
        "--db_user",
        "--db_password",
    ):
        parser.add_argument(option)
    for option, default in extra.items():
        parser.add_argument(f"--{option}", default=default)
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        [
            f"--config={args.config}",
            f"--addons-path={args.addons_path}",
            f"--database={args.db}",
            f"--db_host={args.db_host}",
            f"--db_port={args.db_port}",
            f"--db_user={args.db_user}",
            f"--db_password={args.db_password}",
            "--log-level=warn",
        ]
    )
    odoo.modules.module.initialize_sys_path()  # makes odoo.addons.<suite addon> importable
    return args


@contextlib.contextmanager
def environment(db_name):
    """A superuser environment; what is not committed is rolled back at the end."""
    registry = odoo.modules.registry.Registry(db_name)
    with registry.cursor() as cr:
        try:
            yield api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        finally:
            cr.rollback()


class Measure:
    """Wall time, CPU time of this thread and SQL queries of a block (flushes pending writes
    inside the block). The CPU time depends much less on the machine's load than the wall time."""

    def __init__(self, env):
        self.env = env
        self.seconds = self.cpu = self.queries = 0

    def __enter__(self):
        self.env.flush_all()
        self._queries = self.env.cr.sql_log_count
        self._start = time.perf_counter()
        self._cpu_start = time.thread_time()
        return self

    def __exit__(self, *exc):
        self.env.flush_all()
        self.seconds = time.perf_counter() - self._start
        self.cpu = time.thread_time() - self._cpu_start
        self.queries = self.env.cr.sql_log_count - self._queries


def row(label, count, measure):
    """One printed line: totals and per-document figures."""
    print(
        f"{label:<44} n={count:>6}  total {measure.seconds:8.3f} s  {measure.queries:>7} queries  "
        f"{measure.seconds / count * 1000:7.3f} ms/doc  {measure.queries / count:6.2f} queries/doc"
    )


def _shape(query):
    """A statement's shape: its text with literals and IN lists folded, so that the statements one
    line of code sends count together."""
    code = getattr(query, "code", query)
    code = code.decode() if isinstance(code, bytes) else str(code)
    code = re.sub(r"\s+", " ", code)
    code = re.sub(r"\b\d+\b", "N", code)
    return re.sub(r"\((?:\s*(?:%s|N)\s*,)+\s*(?:%s|N)\s*\)", "(...)", code)[:300]


@contextlib.contextmanager
def statement_times(cr):
    """{shape: [count, seconds]} of the statements `cr` runs inside the block: which statement's
    cost grows with the data, where the totals alone cannot say."""
    shapes = collections.defaultdict(lambda: [0, 0.0])
    original = cr.execute

    def timed(query, params=None, log_exceptions=True):
        start = time.perf_counter()
        try:
            return original(query, params, log_exceptions)
        finally:
            entry = shapes[_shape(query)]
            entry[0] += 1
            entry[1] += time.perf_counter() - start

    cr.execute = timed
    try:
        yield shapes
    finally:
        del cr.execute


def print_statements(shapes, documents, top=12):
    """The `top` shapes by total time: statements and milliseconds per document."""
    total = sum(seconds for _count, seconds in shapes.values())
    print(f"  SQL time {total / documents * 1000:.2f} ms/doc; the {top} costliest statement shapes:")
    ranked = sorted(shapes.items(), key=lambda item: -item[1][1])[:top]
    for shape, (count, seconds) in ranked:
        print(f"  {seconds / documents * 1000:7.3f} ms/doc {count / documents:6.2f}/doc  {shape[:150]}")
