#!/usr/bin/env bash
# Run one benchmark script of bench/ against a scratch database with the suite installed
# (svc_bench, created once without demo data). Usage: scripts/bench.sh bench/<script>.py [args]
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
[ $# -ge 1 ] || die "usage: scripts/bench.sh bench/<script>.py [args]"
bash scripts/ensure_odoo_src.sh
bash scripts/ensure_venv.sh
bash scripts/ensure_postgres.sh
DB="${BENCH_DB:-svc_bench}"
if ! psql -d "$DB" -tAc "SELECT 1 FROM ir_module_module WHERE name = 'svc_ops_base' AND state = 'installed'" \
        2>/dev/null | grep -q 1; then
    say "Creating $DB with the six addons (no demo data)"
    dropdb --if-exists "$DB"
    createdb "$DB"
    odoo_bin -d "$DB" -i "$SVC_ADDONS" --without-demo=all --db-filter="^$DB\$" --stop-after-init --log-level=warn
else
    odoo_bin -d "$DB" -u "$SVC_ADDONS" --db-filter="^$DB\$" --stop-after-init --log-level=warn
fi
# each run works on a throwaway copy, so that a bench can commit per call as an RPC client's
# calls do (one long uncommitted transaction keeps every dead row version and slows writes
# down as it grows) and the next run still starts from the same database
RUN_DB="${DB}_run"
dropdb --if-exists "$RUN_DB"
createdb -T "$DB" "$RUN_DB"
trap 'dropdb --if-exists "$RUN_DB" >/dev/null 2>&1 || true' EXIT
script=$1; shift
"$VENV/bin/python" "$script" --db "$RUN_DB" --config "$ODOO_CONF" --addons-path "$(addons_path)" \
    --db_host "$PGHOST" --db_port "$PGPORT" --db_user "$PGUSER" --db_password "$PGPASSWORD" "$@"
