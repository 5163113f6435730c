"""Integrations: webhook accept rate, inbox processing and outbox delivery throughput.

Run: scripts/bench.sh bench/bench_integrations.py [--events 2000] [--runs 3] [--sizes 1000,10000]
     [--publish 1000]

Inbound: a real Odoo HTTP server runs in this process (odoo.service.server.ThreadedServer,
as pytest-odoo starts it for --odoo-http) on 127.0.0.1; `--events` signed svc.ping events
are posted one after the other (one worker, keep-alive) with `requests`, timing each
answer on the client, `--runs` times per setting. The request handler sets TCP_NODELAY
as Odoo's prefork workers do (server.py); the threaded server does not, and then every
keep-alive answer waits ~40 ms for the client's delayed ACK. Two settings:
- `db_name`: the shipped odoo.conf (`db_name`, no `dbfilter`): Odoo takes the database
  from the configuration, with no query;
- `dbfilter`: a `dbfilter` instead (the multi-database setup of the README): every
  sessionless request lists the databases on a new PostgreSQL connection.
Besides the client's times, the server counts the SQL statements of each request (all
cursors, Odoo's own count) and the CPU time of its thread (the Python work, which the
machine's other loads do not change), and the line "PostgreSQL floor" times a bare
INSERT + COMMIT on a plain connection: the disk's share of an answer at that moment.
Reference (the issue): Odoo's /web/hook answers 41-49 events/s, p95 27-32 ms.

Processing and delivery run the real cron methods (`_cron_process`, `_cron_deliver`)
with their commits on a committed backlog of N events (removed afterwards), for each N of
`--sizes`; statements are counted over every cursor (odoo.sql_db.sql_counter) and the
commits separately, with the CPU time of the cron's thread. Delivery goes to a local sink
on 127.0.0.1 that answers 200 (in its own process, as a receiver would be), one row per
record. Publishing is timed in a rolled-back transaction with `--publish` records.
"""

import json
import multiprocessing
import socket
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import requests
from common import Measure, environment, parse_args

import odoo
from odoo import SUPERUSER_ID, api


def main():
    args = parse_args(__doc__, events="2000", runs="3", sizes="1000,10000", publish="1000")
    from odoo.addons.svc_ops_base.models.signing import signature_headers

    odoo.service.server.RequestHandler.disable_nagle_algorithm = True
    port = _free_port()
    odoo.tools.config["http_interface"] = "127.0.0.1"
    odoo.tools.config["http_port"] = port
    server_queries = []
    odoo.service.server.ThreadedServer(_counting(odoo.http.root, server_queries)).http_spawn()
    _wait_for(port)
    sizes = [int(size) for size in args.sizes.split(",")]
    for run in range(1, int(args.runs) + 1):
        for label, dbfilter, db_name in (("db_name", "", args.db), ("dbfilter", f"^{args.db}$", False)):
            odoo.tools.config["dbfilter"], odoo.tools.config["db_name"] = dbfilter, db_name
            inbound(args.db, port, int(args.events), signature_headers, f"{label}, run {run}", server_queries)
        commit_floor(args, 500)
    odoo.tools.config["dbfilter"], odoo.tools.config["db_name"] = "", args.db
    for size in sizes:
        processing(args.db, size)
    with environment(args.db) as env:
        publishing(env, int(args.publish))
    for size in sizes:
        delivery(args.db, size)


def _counting(app, counts):
    """The WSGI app, recording the SQL statements (Odoo counts them per thread) and the CPU
    time of the server thread for each request: figures the other loads of the machine do
    not change, unlike the answer times."""

    def counting_app(environ, start_response):
        cpu = time.thread_time()
        response = app(environ, start_response)
        counts.append((getattr(threading.current_thread(), "query_count", 0), time.thread_time() - cpu))
        return response

    return counting_app


def inbound(db_name, port, count, signature_headers, label, server_queries):
    registry = odoo.modules.registry.Registry(db_name)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        source = env["svc.integration.source"].create(
            {"name": "Bench", "code": "bench-inbound",
             "allowed_event_type_ids": [(6, 0, env.ref("svc_ops_base.event_type_svc_ping").ids)]}
        )  # fmt: skip
        secret, source_id = source._rotate_secret(), source.id
    try:
        url = f"http://127.0.0.1:{port}/svc/webhook/bench-inbound"
        session = requests.Session()
        timings, statuses = [], {}
        for warm in range(20):  # the first requests load routing maps and caches
            body = json.dumps(
                {"id": f"warm-{warm}", "type": "svc.ping", "data": {"message": "warm"}}
            ).encode()
            session.post(url, data=body, headers=signature_headers(secret, body), timeout=30)
        del server_queries[:]
        started = time.perf_counter()
        for n in range(count):
            body = json.dumps(
                {"id": f"bench-{n}", "type": "svc.ping", "data": {"message": f"event {n}"}}
            ).encode()
            headers = signature_headers(secret, body, event_id=f"bench-{n}")
            t0 = time.perf_counter()
            response = session.post(url, data=body, headers=headers, timeout=30)
            timings.append(time.perf_counter() - t0)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        elapsed = time.perf_counter() - started
        p50 = statistics.median(timings) * 1000
        p95 = statistics.quantiles(timings, n=100)[94] * 1000
        queries = statistics.mean(count for count, _cpu in server_queries)
        cpu_ms = statistics.mean(cpu for _count, cpu in server_queries) * 1000
        print(f"{f'webhook accept (HTTP, 1 worker, {label})':<44} n={count:>6}  {count / elapsed:8.1f} events/s  "
              f"median {p50:6.2f} ms  p95 {p95:6.2f} ms  server: {queries:5.2f} queries/event, "
              f"CPU {cpu_ms:5.2f} ms/event  "
              f"answers {statuses}")  # fmt: skip
    finally:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["svc.inbox.event"].search([("source_id", "=", source_id)]).unlink()
            env["svc.integration.source"].browse(source_id).unlink()


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
              f"total {counter.seconds:7.3f} s")  # fmt: skip
    finally:

        def cleanup(env):
            env.cr.execute("DELETE FROM svc_inbox_event WHERE source_id = %s", [source_id])
            env["svc.integration.source"].browse(source_id).unlink()

        _committed(db_name, cleanup)


def publishing(env, count):
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


def delivery(db_name, size):
    # The receiver is another system: its own process, so it does not share this one's GIL.
    context = multiprocessing.get_context("fork")
    received, port = context.Value("i", 0), _free_port()
    sink = context.Process(target=_serve_sink, args=(port, received), daemon=True)
    sink.start()
    _wait_for(port)

    def backlog(env):
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
            with Counter(cr) as counter:
                env["svc.outbox.event"]._cron_deliver(batch_size=50, time_budget=3600)
            sent = env["svc.outbox.event"].search_count(
                [("endpoint_id", "=", endpoint_id), ("state", "=", "sent")]
            )
        assert (
            sent == size and received.value == size
        ), f"every row is delivered once ({sent}, {received.value})"
        print(f"{'outbox delivery (_cron_deliver, local sink)':<44} n={size:>6}  "
              f"{size / counter.seconds:8.1f} events/s  {counter.statements / size:6.2f} queries/event  "
              f"{counter.commits / size:5.3f} commits/event  CPU {counter.cpu / size * 1000:5.2f} ms/event  "
              f"total {counter.seconds:7.3f} s")  # fmt: skip
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
