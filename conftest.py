"""Suite-wide pytest rules: a skipped test is a test that did not run, so it fails the run.

Odoo skips browser tours silently when websocket-client or Chromium is missing, and
pytest-odoo skips every HttpCase without --odoo-http; none of that may look green.
"""


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
