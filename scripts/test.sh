#!/usr/bin/env bash
# The whole suite on a fresh database: install the five addons with demo data, lint,
# run every Odoo test with pytest-odoo (arguments come from the Makefile), drop the
# database. Exits non-zero on any failure, any skipped test, or any setup problem.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

bash scripts/ensure_odoo_src.sh
bash scripts/ensure_venv.sh
bash scripts/ensure_postgres.sh
bash scripts/ensure_chromium.sh

DB="${TEST_DB:-svc_test_$$}"
LOG_DIR="${TMPDIR:-/tmp}/svc-ops-test-$DB"
mkdir -p "$LOG_DIR"
cleanup() {
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
[ "$installed" = 5 ] || die "Only $installed of the 5 addons are installed in $DB (log: $LOG_DIR/install.log)."
say "Installed in $(( $(date +%s) - start )) s"

lint_status=0
bash scripts/lint.sh || lint_status=1

say "pytest $*"
set +e
"$VENV/bin/pytest" --odoo-database="$DB" --odoo-config="$ODOO_CONF" --odoo-addons-path="$(addons_path)" \
    --odoo-extra="db-filter=^$DB\$" --odoo-extra="db_host=$PGHOST" --odoo-extra="db_port=$PGPORT" \
    --odoo-extra="db_user=$PGUSER" --odoo-extra="db_password=$PGPASSWORD" \
    --odoo-extra="http-port=${TEST_HTTP_PORT:-8069}" "$@" 2>&1 | tee "$LOG_DIR/pytest.log"
test_status=${PIPESTATUS[0]}
set -e

[ $lint_status = 0 ] || echo "make test: the linters failed (see above)."
[ $test_status = 0 ] || echo "make test: pytest exited with $test_status."
summary=$(grep -E '(passed|failed|errors?|skipped|no tests ran)[ ,].* in [0-9.]+s' "$LOG_DIR/pytest.log" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')
echo "${summary:-pytest printed no summary line}"
[ $lint_status = 0 ] && [ $test_status = 0 ]
