#!/usr/bin/env bash
# The addons as an integrator installs them: build the wheels, install them into a fresh
# virtualenv beside Odoo (no addons path points at this repository), install the addons
# from there into a scratch database and run a smoke test from the installed package.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/svc-dist-check.XXXXXX")"
DB="${DIST_CHECK_DB:-svc_dist_check_$$}"
cleanup() {
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    rm -rf "$WORK" "$HOME/.local/share/Odoo/filestore/$DB"
}
trap cleanup EXIT

DIST_DIR="$WORK/dist" bash scripts/dist.sh 2>/dev/null
# A fresh virtualenv that sees Odoo and its requirements (from $VENV and $ODOO_SRC) but
# none of this repository: the addons come only from the wheels.
"$VENV/bin/python" -m venv "$WORK/venv"
fresh_site=$("$WORK/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
base_site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n%s\n' "$ODOO_SRC" "$base_site" >"$fresh_site/svc_odoo_beside.pth"
# --no-deps: the wheels require odoo, which is not on PyPI; it is the source tree above.
"$WORK/venv/bin/python" -m pip install -q --no-deps --no-index "$WORK"/dist/odoo_addon_svc_*.whl \
    || die "Installing the wheels into a fresh virtualenv failed."

# The upstream layout keeps Odoo's addons in $ODOO_SRC/addons; the nightly in odoo/addons.
odoo_addons="$ODOO_SRC/odoo/addons"
[ -d "$ODOO_SRC/addons/web" ] && odoo_addons="$ODOO_SRC/addons,$odoo_addons"
createdb "$DB"
say "Installing $SVC_ADDONS from the wheels into $DB"
if ! "$WORK/venv/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$odoo_addons" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD" \
        -d "$DB" --db-filter="^$DB\$" -i "$SVC_ADDONS" --without-demo=all --stop-after-init \
        --log-level=warn --http-port=0 >"$WORK/install.log" 2>&1 \
        || grep -qE ' (ERROR|CRITICAL) ' "$WORK/install.log"; then
    grep -E ' (ERROR|CRITICAL) ' -A 20 "$WORK/install.log" | head -60 >&2
    die "Installing the addons from their wheels failed."
fi
say "Smoke test from the installed package"
"$WORK/venv/bin/python" "$ODOO_SRC/odoo-bin" shell --addons-path="$odoo_addons" \
    --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD" \
    -d "$DB" --db-filter="^$DB\$" --log-level=warn --no-http <<PY || die "The smoke test of the installed wheels failed."
import odoo.modules
names = "$SVC_ADDONS".split(",")
for name in names:
    path = odoo.modules.get_module_path(name)
    assert path.startswith("$fresh_site"), f"{name} was loaded from {path}, not from the wheel"
modules = env["ir.module.module"].search([("name", "in", names), ("state", "=", "installed")])
assert len(modules) == len(names), f"installed: {modules.mapped('name')}"
# the suite works from the package: an exception enters the queue and is taken by a user
problem = env["svc.exception"].create({"name": "Wheel smoke test", "category": "integration"})
problem.action_take()
assert problem.state == "in_progress" and problem.owner_id == env.user, problem.read(["state", "owner_id"])
env.cr.rollback()
print("dist-check: %d addons installed from wheels in %s" % (len(names), "$fresh_site"))
PY
