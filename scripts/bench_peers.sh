#!/usr/bin/env bash
# `make bench-peers`: svc-ops next to its OCA peers, in one run, on one database (issue 24).
# Downloads the pinned 17.0 wheels of the OCA modules with `pip download --no-deps` into a
# bench-only folder outside the repository ($BENCH_PEERS_HOME, never committed), unpacks their
# addons, builds one scratch database (svc_bench_peers) with the five svc-ops addons and the OCA
# modules installed side by side, and runs bench/bench_peers.py on a throwaway copy of it.
# Usage: scripts/bench_peers.sh [--n 1000] [--runs 3]
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
bash scripts/ensure_odoo_src.sh
bash scripts/ensure_venv.sh
bash scripts/ensure_postgres.sh

# The peers, pinned (the newest 17.0 releases on PyPI on 2026-12-08). None depends on another
# OCA addon: base_tier_validation needs mail, purchase_tier_validation purchase and
# base_tier_validation, stock_request stock (their __manifest__.py "depends").
PEER_WHEELS=(
    "odoo-addon-base_tier_validation==17.0.4.1.0.2"
    "odoo-addon-purchase_tier_validation==17.0.1.0.0.11"
    "odoo-addon-stock_request==17.0.1.1.6.2"
)
PEER_MODULES="base_tier_validation,purchase_tier_validation,stock_request"
PEERS_HOME="${BENCH_PEERS_HOME:-$SVC_HOME/bench-peers}"
WHEELS="$PEERS_HOME/wheels"
PEER_ADDONS="$PEERS_HOME/addons"
mkdir -p "$WHEELS" "$PEER_ADDONS"
say "Downloading the peers' wheels into $WHEELS"
for wheel in "${PEER_WHEELS[@]}"; do
    "$VENV/bin/pip" download --no-deps --quiet --disable-pip-version-check -d "$WHEELS" "$wheel" 2>&1 \
        | { grep -v "^WARNING: Location" || true; } >&2
done
# A wheel is a zip holding odoo/addons/<module>: unpack each module into one addons folder.
"$VENV/bin/python" - "$WHEELS" "$PEER_ADDONS" <<'PY'
import pathlib, shutil, sys, zipfile
wheels, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for wheel in sorted(wheels.glob("*.whl")):
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.startswith("odoo/addons/")]
        for module in {n.split("/")[2] for n in names}:
            shutil.rmtree(target / module, ignore_errors=True)
        for name in names:
            rel = pathlib.Path(*pathlib.Path(name).parts[2:])
            if name.endswith("/"):
                continue
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_bytes(archive.read(name))
PY

PEERS_PATH="$(addons_path),$PEER_ADDONS"
peers_odoo() {
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" --addons-path="$PEERS_PATH" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD" "$@"
}
DB="${BENCH_PEERS_DB:-svc_bench_peers}"
if ! psql -d "$DB" -tAc "SELECT count(*) FROM ir_module_module WHERE state = 'installed'
        AND name IN ('svc_procurement_orchestration', 'purchase_tier_validation', 'stock_request')" \
        2>/dev/null | grep -qx 3; then
    say "Creating $DB: the five svc-ops addons and $PEER_MODULES (no demo data)"
    dropdb --if-exists "$DB"
    createdb "$DB"
    peers_odoo -d "$DB" -i "$SVC_ADDONS,$PEER_MODULES" --without-demo=all --db-filter="^$DB\$" \
        --stop-after-init --log-level=warn
else
    peers_odoo -d "$DB" -u "$SVC_ADDONS" --db-filter="^$DB\$" --stop-after-init --log-level=warn
fi
RUN_DB="${DB}_run"
dropdb --if-exists "$RUN_DB"
createdb -T "$DB" "$RUN_DB"
trap 'dropdb --if-exists "$RUN_DB" >/dev/null 2>&1 || true' EXIT
"$VENV/bin/python" bench/bench_peers.py --db "$RUN_DB" --config "$ODOO_CONF" --addons-path "$PEERS_PATH" \
    --db_host "$PGHOST" --db_port "$PGPORT" --db_user "$PGUSER" --db_password "$PGPASSWORD" "$@"
