"""Integrations: webhook accept rate, inbox processing and outbox delivery throughput.

Run: scripts/bench.sh bench/bench_integrations.py [--events 2000] [--runs 3] [--sizes 1000,10000]
     [--publish 1000] [--port 0] [--settings db_name,dbfilter] [--profile 0]

Inbound: a real Odoo HTTP server runs in this process (odoo.service.server.ThreadedServer,
as pytest-odoo starts it for --odoo-http) on 127.0.0.1:`--port` (0: any free port; the
delivery sink listens on the next port). `--events` signed svc.ping events are posted one
after the other with `requests` (keep-alive), timing each answer on the client, `--runs`
times per setting. Each event to our route is followed by one to Odoo's own `/web/hook`
(base_automation, trigger "On webhook", a one-line server action writing the posted
message on a partner, processed inline; base_automation comes with svc_approval_matrix):
the two routes are measured alternately, under the same load. The request
handler sets TCP_NODELAY as Odoo's prefork workers do (server.py); the threaded server does
not, and then every keep-alive answer waits ~40 ms for the client's delayed ACK.
`--settings`, how Odoo finds the database:
- `db_name`: the shipped odoo.conf (`db_name`, no `dbfilter`): Odoo takes the database
  from the configuration, with no query;
- `dbfilter`: a `dbfilter` instead (the multi-database setup of the README): every
  sessionless request lists the databases on a new PostgreSQL connection.
Besides the client's times, the server counts the SQL statements of each request (all
cursors, Odoo's own count) and the CPU time of its thread (the Python work, which the
machine's other loads do not change), and the line "PostgreSQL floor" times a bare
INSERT + COMMIT on a plain connection: the disk's share of an answer at that moment.
`--profile N`: after the timed runs, N more events to our route under cProfile (the
serving thread only); the functions with the most cumulative time are printed.
Reference (the issue): Odoo's /web/hook answers 41-49 events/s, p95 27-32 ms.

Processing and delivery run the real cron methods (`_cron_process`, `_cron_deliver`)
with their commits on a committed backlog of N events (removed afterwards), for each N of
`--sizes`; statements are counted over every cursor (odoo.sql_db.sql_counter) and the
commits separately, with the CPU time of the cron's thread. Delivery goes to a local sink
on 127.0.0.1 that answers 200 (in its own process, as a receiver would be; HTTP/1.1
keep-alive), one row per record. Publishing is timed in a rolled-back transaction with
`--publish` records.
"""

import contextlib
import cProfile
import json
import multiprocessing
import os
import pstats
import socket
import statistics
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import requests
from common import Measure, environment, parse_args

import odoo
from odoo import SUPERUSER_ID, api


def main():
    args = parse_args(
        __doc__, events="2000", runs="3", sizes="1000,10000", publish="1000", port="0",
        settings="db_name,dbfilter", profile="0",
    )  # fmt: skip
    from odoo.addons.svc_ops_base.models.signing import signature_headers

    odoo.service.server.RequestHandler.disable_nagle_algorithm = True
    port = int(args.port) or _free_port()
    odoo.tools.config["http_interface"] = "127.0.0.1"
    odoo.tools.config["http_port"] = port
    served = ServedRequests()
    odoo.service.server.ThreadedServer(served.wrap(odoo.http.root)).http_spawn()
    _wait_for(port)
    sizes = [int(size) for size in args.sizes.split(",")]
    settings = {"db_name": ("", args.db), "dbfilter": (f"^{args.db}$", False)}
    with _inbound_fixture(args.db) as fixture:
        for run in range(1, int(args.runs) + 1):
            for label in filter(None, args.settings.split(",")):
                odoo.tools.config["dbfilter"], odoo.tools.config["db_name"] = settings[label]
                inbound(port, int(args.events), signature_headers, fixture, f"{label}, run {run}", served)
            commit_floor(args, 500)
        odoo.tools.config["dbfilter"], odoo.tools.config["db_name"] = "", args.db
        if int(args.profile):
            profile_inbound(port, int(args.profile), signature_headers, fixture, served)
    for size in sizes:
        processing(args.db, size)
    with environment(args.db) as env:
        publishing(env, int(args.publish))
    sink_port = int(args.port) + 1 if int(args.port) else _free_port()
    for size in sizes:
        delivery(args.db, size, sink_port)
    if int(args.profile):
        delivery(args.db, int(args.profile), sink_port, profile=True)


class ServedRequests:
    """The WSGI app, recording per path the SQL statements (Odoo counts them per thread) and
    the CPU time of the server thread for each request: figures the other loads of the
    machine do not change, unlike the answer times. `profiler`, when set, runs around the
    requests to our webhook route."""

    def __init__(self):
        self.counts, self.profiler = [], None

    def wrap(self, app):
        def counting_app(environ, start_response):
            profiler = self.profiler if environ["PATH_INFO"].startswith("/svc/webhook/") else None
            cpu = time.thread_time()
            if profiler:
                profiler.enable()
            response = app(environ, start_response)
            if profiler:
                profiler.disable()
            self.counts.append(
                (environ["PATH_INFO"].split("/")[1:3], getattr(threading.current_thread(), "query_count", 0),
                 time.thread_time() - cpu)
            )  # fmt: skip
            return response

        return counting_app

    def per_event(self, route):
        """(queries, CPU ms) per request of `route` (the first two parts of the path)."""
        counts = [(queries, cpu) for path, queries, cpu in self.counts if path == route]
        return statistics.mean(q for q, _cpu in counts), statistics.mean(cpu for _q, cpu in counts) * 1000


@contextlib.contextmanager
def _inbound_fixture(db_name):
    """A committed source for our route and an "On webhook" automation rule for Odoo's, removed
    afterwards."""
    registry = odoo.modules.registry.Registry(db_name)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        source = env["svc.integration.source"].create(
            {"name": "Bench", "code": "bench-inbound",
             "allowed_event_type_ids": [(6, 0, env.ref("svc_ops_base.event_type_svc_ping").ids)]}
        )  # fmt: skip
        partner = env["res.partner"].create({"name": "Bench /web/hook"})
        rule = env["base.automation"].create(
            {
                "name": "Bench /web/hook",
                "trigger": "on_webhook",
                "model_id": env["ir.model"]._get_id("res.partner"),
            }
        )
        env["ir.actions.server"].create(
            {"name": "Bench /web/hook", "base_automation_id": rule.id, "model_id": rule.model_id.id,
             "state": "code", "usage": "base_automation",
             "code": 'record.write({"comment": payload.get("message")})'}
        )  # fmt: skip
        fixture = {"secret": source._rotate_secret(), "source_id": source.id, "partner_id": partner.id,
                   "rule_id": rule.id, "web_hook": f"/web/hook/{rule.webhook_uuid}"}  # fmt: skip
    try:
        yield fixture
    finally:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["svc.inbox.event"].search([("source_id", "=", fixture["source_id"])]).unlink()
            env["svc.integration.source"].browse(fixture["source_id"]).unlink()
            env["base.automation"].browse(fixture["rule_id"]).unlink()
            env["res.partner"].browse(fixture["partner_id"]).unlink()


def _ours(port, fixture, signature_headers, event_id):
    body = json.dumps({"id": event_id, "type": "svc.ping", "data": {"message": f"event {event_id}"}}).encode()
    url = f"http://127.0.0.1:{port}/svc/webhook/bench-inbound"
    return url, body, signature_headers(fixture["secret"], body, event_id=event_id)


def _odoos(port, fixture, event_id):
    body = json.dumps({"_model": "res.partner", "_id": fixture["partner_id"], "message": f"event {event_id}"})
    return (
        f"http://127.0.0.1:{port}{fixture['web_hook']}",
        body.encode(),
        {"Content-Type": "application/json"},
    )


def inbound(port, count, signature_headers, fixture, label, served):
    ours, odoos = requests.Session(), requests.Session()
    prefix = uuid.uuid4().hex[:8]  # event ids unique over the runs
    for warm in range(20):  # the first requests load routing maps and caches
        for session, (url, body, headers) in (
            (ours, _ours(port, fixture, signature_headers, f"warm-{prefix}-{warm}")),
            (odoos, _odoos(port, fixture, warm)),
        ):
            session.post(url, data=body, headers=headers, timeout=30)
    del served.counts[:]
    timings = {"ours": [], "odoo": []}
    statuses = {"ours": {}, "odoo": {}}
    for n in range(count):
        for name, session, (url, body, headers) in (
            ("ours", ours, _ours(port, fixture, signature_headers, f"bench-{prefix}-{n}")),
            ("odoo", odoos, _odoos(port, fixture, n)),
        ):
            t0 = time.perf_counter()
            response = session.post(url, data=body, headers=headers, timeout=30)
            timings[name].append(time.perf_counter() - t0)
            statuses[name][response.status_code] = statuses[name].get(response.status_code, 0) + 1
    load = os.getloadavg()[0]
    for name, title, route in (
        ("ours", "/svc/webhook", ["svc", "webhook"]),
        ("odoo", "Odoo /web/hook", ["web", "hook"]),
    ):
        p50 = statistics.median(timings[name]) * 1000
        p95 = statistics.quantiles(timings[name], n=100)[94] * 1000
        queries, cpu_ms = served.per_event(route)
        print(f"{f'accept {title} ({label})':<44} n={count:>6}  {count / sum(timings[name]):8.1f} events/s  "
              f"median {p50:6.2f} ms  p95 {p95:6.2f} ms  server: {queries:5.2f} queries/event, "
              f"CPU {cpu_ms:5.2f} ms/event  load {load:4.1f}  answers {statuses[name]}")  # fmt: skip


def profile_inbound(port, count, signature_headers, fixture, served):
    """cProfile of the serving thread over `count` events to our route."""
    session = requests.Session()
    served.profiler = cProfile.Profile()
    for n in range(count):
        url, body, headers = _ours(port, fixture, signature_headers, f"profile-{n}")
        session.post(url, data=body, headers=headers, timeout=30)
    profiler, served.profiler = served.profiler, None
    print(f"cProfile of the serving thread, {count} events to /svc/webhook (cumulative seconds):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(40)


def commit_floor(args, count):
    """INSERT + COMMIT on a plain connection: what the disk costs an accepted event right now."""
    connection = psycopg2.connect(
        dbname=args.db, host=args.db_host, port=args.db_port, user=args.db_user, password=args.db_password
    )
    try:
        with connection.cursor() as cr:
            cr.execute("CREATE TABLE IF NOT EXISTS bench_commit_floor (id serial PRIMARY KEY, body jsonb)")
            connection.commit()
            timings = []
            for n in range(count):
                t0 = time.perf_counter()
                cr.execute("INSERT INTO bench_commit_floor (body) VALUES (%s::jsonb)", [json.dumps({"n": n})])
                connection.commit()
                timings.append(time.perf_counter() - t0)
            cr.execute("DROP TABLE bench_commit_floor")
            connection.commit()
    finally:
        connection.close()
    print(f"{'PostgreSQL floor (INSERT + COMMIT, no Odoo)':<44} n={count:>6}  "
          f"median {statistics.median(timings) * 1000:6.2f} ms  "
          f"p95 {statistics.quantiles(timings, n=100)[94] * 1000:6.2f} ms")  # fmt: skip


class Counter:
    """SQL statements over every cursor of this process, the commits of one cursor, and the
    CPU time of this thread (the cron's own work, whatever the machine's other loads)."""

    def __init__(self, cr):
        self.cr, self.commits = cr, 0
        self._commit = cr.commit

    def __enter__(self):
        def commit():
            self.commits += 1
            return self._commit()

        self.cr.commit = commit
        self.cr.flush()
        self._statements = odoo.sql_db.sql_counter
        self._start, self._cpu = time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc):
        self.cr.flush()
        self.seconds, self.cpu = time.perf_counter() - self._start, time.thread_time() - self._cpu
        self.statements = odoo.sql_db.sql_counter - self._statements
        del self.cr.commit


def _committed(db_name, function):
    """Run function(env) in a cursor that commits."""
    with odoo.modules.registry.Registry(db_name).cursor() as cr:
        return function(api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True}))


def processing(db_name, size):
    def backlog(env):
        source = env["svc.integration.source"].create(
            {"name": "Bench processing", "code": "bench-processing",
             "allowed_event_type_ids": [(6, 0, env.ref("svc_ops_base.event_type_svc_ping").ids)]}
        )  # fmt: skip
        inbox = env["svc.inbox.event"]
        for n in range(size):
            envelope = json.dumps({"id": f"p{n}", "type": "svc.ping", "data": {"message": f"event {n}"}})
            inbox._store(source.id, source.company_id.id, f"p{n}", "svc.ping", envelope)
        return source.id

    source_id = _committed(db_name, backlog)
    try:
        with odoo.modules.registry.Registry(db_name).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            with Counter(cr) as counter:
                env["svc.inbox.event"]._cron_process(time_budget=3600)
            processed = env["svc.inbox.event"].search_count(
                [("source_id", "=", source_id), ("state", "=", "processed")]
            )
        assert processed == size, f"every event of the backlog is processed ({processed}/{size})"
        print(f"{'inbox processing (_cron_process, batches of 200)':<44} n={size:>6}  "
              f"{size / counter.seconds:8.1f} events/s  {counter.statements / size:6.2f} queries/event  "
              f"{counter.commits / size:5.3f} commits/event  CPU {counter.cpu / size * 1000:5.2f} ms/event  "
              f"total {counter.seconds:7.3f} s  load {os.getloadavg()[0]:4.1f}")  # fmt: skip
    finally:

        def cleanup(env):
            env.cr.execute("DELETE FROM svc_inbox_event WHERE source_id = %s", [source_id])
            env["svc.integration.source"].browse(source_id).unlink()

        _committed(db_name, cleanup)


def publishing(env, count):
    # The bench receiver listens on 127.0.0.1: allow that host (svc_ops_base.url_guard).
    env["ir.config_parameter"].sudo().set_param("svc_ops_base.allow_private_endpoints", "127.0.0.1")
    env["svc.webhook.endpoint"].create(
        {"name": "Bench publish", "url": "http://127.0.0.1:9/unused",
         "event_type_ids": [(6, 0, env.ref("svc_ops_base.event_type_svc_ping").ids)]}
    )  # fmt: skip
    partners = env["res.partner"].create([{"name": f"Bench publish {n}"} for n in range(count)])
    outbox = env["svc.outbox.event"]
    with Measure(env) as publish:
        for partner in partners:
            outbox._publish("svc.ping", partner, {"message": partner.name})
    print(f"{'outbox publish (one call per record)':<44} n={count:>6}  {count / publish.seconds:8.1f} events/s  "
          f"{publish.queries / count:6.2f} queries/event")  # fmt: skip


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    received = None  # a multiprocessing.Value shared with the bench

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with _Sink.received.get_lock():
            _Sink.received.value += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        return


def _serve_sink(port, received):
    _Sink.received = received
    sink = ThreadingHTTPServer(("127.0.0.1", port), _Sink)
    sink.daemon_threads = True
    sink.serve_forever()


def delivery(db_name, size, port, profile=False):
    # The receiver is another system: its own process, so it does not share this one's GIL.
    context = multiprocessing.get_context("fork")
    received = context.Value("i", 0)
    sink = context.Process(target=_serve_sink, args=(port, received), daemon=True)
    sink.start()
    _wait_for(port)

    def backlog(env):
        # The bench receiver listens on 127.0.0.1: allow that host (svc_ops_base.url_guard).
        env["ir.config_parameter"].sudo().set_param("svc_ops_base.allow_private_endpoints", "127.0.0.1")
        endpoint = env["svc.webhook.endpoint"].create(
            {"name": "Bench sink", "url": f"http://127.0.0.1:{port}/sink",
             "event_type_ids": [(6, 0, env.ref("svc_ops_base.event_type_svc_ping").ids)]}
        )  # fmt: skip
        # One row per record (as _publish writes them), without creating `size` partners.
        now = odoo.fields.Datetime.now()
        env["svc.outbox.event"].create(
            [
                {"event_uuid": f"bench-{n}", "event_type": "svc.ping", "endpoint_id": endpoint.id,
                 "company_id": endpoint.company_id.id, "res_model": "res.partner", "res_id": n + 1,
                 "record_name": f"Bench delivery {n}", "payload": {"message": f"event {n}"},
                 "occurred_at": now, "next_attempt_at": now}
                for n in range(size)
            ]
        )  # fmt: skip
        return endpoint.id

    endpoint_id = _committed(db_name, backlog)
    try:
        with odoo.modules.registry.Registry(db_name).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            profiler = cProfile.Profile() if profile else contextlib.nullcontext()
            with Counter(cr) as counter, profiler:
                env["svc.outbox.event"]._cron_deliver(batch_size=50, time_budget=3600)
            sent = env["svc.outbox.event"].search_count(
                [("endpoint_id", "=", endpoint_id), ("state", "=", "sent")]
            )
        assert sent == size and received.value == size, (
            f"every row is delivered once ({sent}, {received.value})"
        )
        if profile:
            print(f"cProfile of the delivery cron, {size} rows (cumulative seconds):")
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
            return
        print(f"{'outbox delivery (_cron_deliver, local sink)':<44} n={size:>6}  "
              f"{size / counter.seconds:8.1f} events/s  {counter.statements / size:6.2f} queries/event  "
              f"{counter.commits / size:5.3f} commits/event  CPU {counter.cpu / size * 1000:5.2f} ms/event  "
              f"total {counter.seconds:7.3f} s  load {os.getloadavg()[0]:4.1f}")  # fmt: skip
    finally:
        sink.terminate()
        sink.join()
        _committed(db_name, lambda env: env["svc.webhook.endpoint"].browse(endpoint_id).unlink())


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the Odoo HTTP server did not listen on port {port}")


if __name__ == "__main__":
    main()
