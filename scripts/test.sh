#!/usr/bin/env bash
# The whole suite on a fresh database: install the six addons with demo data, lint,
# install them from their wheels beside the tests (dist-check), run every Odoo test with
# pytest-odoo (arguments come from the Makefile), drop the database. Exits non-zero on any failure, any skipped test, or any setup problem.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

bash scripts/ensure_odoo_src.sh
bash scripts/ensure_venv.sh
bash scripts/ensure_postgres.sh
bash scripts/ensure_chromium.sh

DB="${TEST_DB:-svc_test_$$}"
LOG_DIR="${TMPDIR:-/tmp}/svc-ops-test-$DB"
mkdir -p "$LOG_DIR"
# The in-process test server gets a port of its own (a free one unless TEST_HTTP_PORT is
# set), so `make test` passes while `make run` serves the demo on HTTP_PORT (8069).
TEST_PORT="${TEST_HTTP_PORT:-$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')}"
DEMO_PORT="${HTTP_PORT:-8069}"
sentinel_pid=""
cleanup() {
    [ -z "$sentinel_pid" ] || kill "$sentinel_pid" 2>/dev/null || true
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    rm -rf "$HOME/.local/share/Odoo/filestore/$DB"
}
trap cleanup EXIT
dropdb --if-exists "$DB"
createdb "$DB"

say "Installing $SVC_ADDONS with demo data into $DB"
start=$(date +%s)
if ! odoo_bin -d "$DB" -i "$SVC_ADDONS" --db-filter="^$DB\$" --stop-after-init --log-level=warn \
        >"$LOG_DIR/install.log" 2>&1 \
        || grep -qE ' (ERROR|CRITICAL) ' "$LOG_DIR/install.log"; then
    grep -E ' (ERROR|CRITICAL) ' -A 30 "$LOG_DIR/install.log" | head -80 >&2
    die "Installing the addons failed (full log: $LOG_DIR/install.log)."
fi
installed=$(psql -d "$DB" -tAc "SELECT count(*) FROM ir_module_module WHERE state = 'installed'
                                AND name = ANY(string_to_array('$SVC_ADDONS', ','))")
expected=$(tr ',' '\n' <<<"$SVC_ADDONS" | grep -c .)
[ "$installed" = "$expected" ] || die "Only $installed of the $expected addons are installed in $DB (log: $LOG_DIR/install.log)."
say "Installed in $(( $(date +%s) - start )) s"

lint_status=0
bash scripts/lint.sh || lint_status=1

# The wheels as an integrator installs them (make dist-check), beside the tests.
bash scripts/dist_check.sh >"$LOG_DIR/dist-check.log" 2>&1 &
dist_check_pid=$!

# While the tests run, hold the demo port when it is free and record any connection to
# it: a test that reaches 8069 instead of its own server fails the run.
sentinel_log="$LOG_DIR/port-$DEMO_PORT-connections.log"
: >"$sentinel_log"
if [ "$TEST_PORT" != "$DEMO_PORT" ]; then
    "$VENV/bin/python" scripts/port_sentinel.py "$DEMO_PORT" "$sentinel_log" &
    sentinel_pid=$!
    sleep 0.5
    if kill -0 "$sentinel_pid" 2>/dev/null; then
        say "Holding port $DEMO_PORT while the tests run on port $TEST_PORT: none may connect to it"
    else
        sentinel_pid=""
        say "Port $DEMO_PORT is served by another process (make run?): the tests run on port $TEST_PORT"
    fi
fi

say "pytest $*"
set +e
"$VENV/bin/pytest" --odoo-database="$DB" --odoo-config="$ODOO_CONF" --odoo-addons-path="$(addons_path)" \
    --odoo-extra="db-filter=^$DB\$" --odoo-extra="db_host=$PGHOST" --odoo-extra="db_port=$PGPORT" \
    --odoo-extra="db_user=$PGUSER" --odoo-extra="db_password=$PGPASSWORD" \
    --odoo-extra="http-port=$TEST_PORT" "$@" 2>&1 | tee "$LOG_DIR/pytest.log"
test_status=${PIPESTATUS[0]}
set -e

dist_check_status=0
wait "$dist_check_pid" || dist_check_status=1
if [ $dist_check_status = 0 ]; then
    tail -n 1 "$LOG_DIR/dist-check.log"
else
    tail -n 30 "$LOG_DIR/dist-check.log"
    echo "make test: installing the addons from their wheels failed (make dist-check; $LOG_DIR/dist-check.log)."
fi
sentinel_status=0
if [ -s "$sentinel_log" ]; then
    sentinel_status=1
    echo "make test: $(wc -l <"$sentinel_log") connection(s) reached port $DEMO_PORT, not the test server on $TEST_PORT ($sentinel_log)."
fi
[ $lint_status = 0 ] || echo "make test: the linters failed (see above)."
[ $test_status = 0 ] || echo "make test: pytest exited with $test_status."
# "350 passed in 617.93s" (no warnings) as well as "3 failed, 347 passed, 2 warnings in 600s"
summary=$( (grep -E '(passed|failed|errors?|skipped|no tests ran)(,.*)? in [0-9.]+s' "$LOG_DIR/pytest.log" || true) \
    | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')
echo "${summary:-pytest printed no summary line}"
[ $lint_status = 0 ] && [ $test_status = 0 ] && [ $sentinel_status = 0 ] && [ $dist_check_status = 0 ]
