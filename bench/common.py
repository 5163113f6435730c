"""Shared plumbing of the benchmarks: open an Odoo environment, time and count SQL queries.

Every benchmark runs in one transaction that is rolled back at the end: the bench
database stays as it was.
"""

import argparse
import contextlib
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
    """A superuser environment in a transaction that is always rolled back."""
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
