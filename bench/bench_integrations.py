"""Integrations: webhook accept rate, inbox processing and outbox delivery throughput.

Run: scripts/bench.sh bench/bench_integrations.py [--events 2000] [--sizes 1000,10000] [--deliveries 2000]

Inbound: a real Odoo HTTP server runs in this process (odoo.service.server.ThreadedServer,
as pytest-odoo starts it for --odoo-http) on 127.0.0.1; `--events` signed svc.ping events
are posted one after the other (one worker, keep-alive) with `requests`, timing each
answer on the client. The server's cursors only see committed data, so the source is
created in a committed transaction and deleted at the end with its events. The request
handler sets TCP_NODELAY as Odoo's prefork workers do (server.py); the threaded server
does not, and then every keep-alive answer waits ~40 ms for the client's delayed ACK.
Two runs: the database pinned by `dbfilter` (the shipped odoo.conf: every sessionless
request lists the databases, one PostgreSQL connection each), and pinned by `db_name`
without dbfilter (Odoo then skips the listing). Reference (the issue): Odoo's /web/hook
answers 41-49 events/s, p95 27-32 ms.

Processing and delivery run in one transaction that is rolled back (bench/common.py):
the inbox cron's loop (claim a batch, process it) over a backlog of N received events,
with SQL queries per event; then the outbox cron's loop delivering `--deliveries` rows
(one per record) to a local sink on 127.0.0.1 that answers 200.
"""

import json
import socket
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from common import Measure, environment, parse_args

import odoo
from odoo import SUPERUSER_ID, api


def main():
    args = parse_args(__doc__, events="2000", sizes="1000,10000", deliveries="2000")
    from odoo.addons.svc_ops_base.models.signing import signature_headers

    odoo.service.server.RequestHandler.disable_nagle_algorithm = True
    port = _free_port()
    odoo.tools.config["http_interface"] = "127.0.0.1"
    odoo.tools.config["http_port"] = port
    odoo.service.server.ThreadedServer(odoo.http.root).http_spawn()
    _wait_for(port)
    for label, dbfilter, db_name in (("dbfilter", f"^{args.db}$", False), ("db_name", "", args.db)):
        odoo.tools.config["dbfilter"], odoo.tools.config["db_name"] = dbfilter, db_name
        inbound(args.db, port, int(args.events), signature_headers, label)
    with environment(args.db) as env:
        processing(env, [int(size) for size in args.sizes.split(",")])
        delivery(env, int(args.deliveries))


def inbound(db_name, port, count, signature_headers, label):
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
                {"id": f"warm-{label}-{warm}", "type": "svc.ping", "data": {"message": "warm"}}
            ).encode()
            session.post(url, data=body, headers=signature_headers(secret, body), timeout=30)
        started = time.perf_counter()
        for n in range(count):
            body = json.dumps(
                {"id": f"bench-{label}-{n}", "type": "svc.ping", "data": {"message": f"event {n}"}}
            ).encode()
            headers = signature_headers(secret, body, event_id=f"bench-{label}-{n}")
            t0 = time.perf_counter()
            response = session.post(url, data=body, headers=headers, timeout=30)
            timings.append(time.perf_counter() - t0)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        elapsed = time.perf_counter() - started
        p50 = statistics.median(timings) * 1000
        p95 = statistics.quantiles(timings, n=100)[94] * 1000
        print(f"{f'webhook accept (HTTP, 1 worker, {label})':<44} n={count:>6}  {count / elapsed:8.1f} events/s  "
              f"median {p50:6.2f} ms  p95 {p95:6.2f} ms  answers {statuses}")  # fmt: skip
    finally:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["svc.inbox.event"].search([("source_id", "=", source_id)]).unlink()
            env["svc.integration.source"].browse(source_id).unlink()


def processing(env, sizes):
    inbox = env["svc.inbox.event"]
    source = env["svc.integration.source"].create(
        {"name": "Bench processing", "code": "bench-processing",
         "allowed_event_type_ids": [(6, 0, env.ref("svc_ops_base.event_type_svc_ping").ids)]}
    )  # fmt: skip
    for size in sizes:
        for n in range(size):
            envelope = json.dumps(
                {"id": f"p{size}-{n}", "type": "svc.ping", "data": {"message": f"event {n}"}}
            )
            inbox._store(source, f"p{size}-{n}", "svc.ping", envelope)
        env.invalidate_all()
        with Measure(env) as measure:
            while events := inbox._claim_due(200):  # the cron's loop, without its commits
                events._process()
        processed = inbox.search_count([("source_id", "=", source.id), ("state", "=", "processed")])
        assert processed >= size, "every event of the backlog is processed"
        print(f"{'inbox processing (cron loop, batches of 200)':<44} n={size:>6}  {size / measure.seconds:8.1f} events/s  "
              f"{measure.queries / size:6.2f} queries/event  total {measure.seconds:7.3f} s")  # fmt: skip
        inbox.search([("source_id", "=", source.id)]).unlink()


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    received = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Sink.received += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        return


def delivery(env, count):
    sink = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    sink.daemon_threads = True
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    try:
        env["svc.webhook.endpoint"].create(
            {"name": "Bench sink", "url": f"http://127.0.0.1:{sink.server_address[1]}/sink",
             "event_type_ids": [(6, 0, env.ref("svc_ops_base.event_type_svc_ping").ids)]}
        )  # fmt: skip
        partners = env["res.partner"].create([{"name": f"Bench delivery {n}"} for n in range(count)])
        outbox = env["svc.outbox.event"]
        with Measure(env) as publish:
            rows = outbox.browse()
            for partner in partners:
                rows |= outbox._publish("svc.ping", partner, {"message": partner.name})
        print(f"{'outbox publish (one call per record)':<44} n={count:>6}  {count / publish.seconds:8.1f} events/s  "
              f"{publish.queries / count:6.2f} queries/event")  # fmt: skip
        with Measure(env) as measure:
            outbox._cron_deliver(batch_size=50, auto_commit=False)
        assert (
            set(rows.mapped("state")) == {"sent"} and _Sink.received == count
        ), "every row is delivered once"
        print(f"{'outbox delivery to a local sink (cron loop)':<44} n={count:>6}  {count / measure.seconds:8.1f} events/s  "
              f"{measure.queries / count:6.2f} queries/event  total {measure.seconds:7.3f} s")  # fmt: skip
    finally:
        sink.shutdown()
        sink.server_close()


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
