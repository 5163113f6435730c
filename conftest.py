"""Suite-wide pytest rules: a skipped test is a test that did not run, so it fails the run.

Odoo skips browser tours silently when websocket-client or Chromium is missing, and
pytest-odoo skips every HttpCase without --odoo-http; none of that may look green.
"""

import odoo.http
from odoo.service import server


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(
            f"FAILING THE RUN: {len(skipped)} test(s) skipped; a skip means the suite did not run "
            "(missing Chromium, websocket-client or --odoo-http?)",
            red=True,
        )


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and session.exitstatus == 0:
        session.exitstatus = 1


def _start_http_once(preload=None, stop=False):
    """Stand-in for `odoo.service.server.start` as pytest-odoo's `load_http` calls it.

    pytest-odoo starts the server for every test module with `start(stop=True)`, which
    spawns the HTTP thread and stops the server at once: when the thread bound the port
    before the stop, that module's HttpCase tests meet "Connection refused"; when it did
    not, the next module's start prints "OSError: [Errno 98] Address already in use" from a
    second HTTP thread. Here the HTTP thread is spawned once, at the first call, and stays.
    """
    if server.server is None:
        server.load_server_wide_modules()
        server.server = server.ThreadedServer(odoo.http.root)
        server.server.http_spawn()
    return 0


server.start = _start_http_once
