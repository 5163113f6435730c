# Settings shared by the setup, run and test scripts. Source it; do not run it.
# Every setting can be overridden from the environment (see README, "Configuration").
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SVC_HOME="${SVC_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/svc-ops}"
# Where the Odoo 17.0 source tree lives (outside the repository: it is never committed).
ODOO_SRC="${ODOO_SRC:-$SVC_HOME/odoo-17.0}"
ODOO_REPO_URL="${ODOO_REPO_URL:-https://github.com/odoo/odoo.git}"
VENV="${VENV:-$SVC_HOME/venv-17.0}"
ODOO_CONF="${ODOO_CONF:-$REPO_ROOT/odoo.conf}"
SVC_ADDONS="svc_ops_base,svc_approval_matrix,svc_warehouse_kits,svc_procurement_orchestration,svc_resource_planning,svc_order_orchestration"

die() { echo "ERROR: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }

# conf_value KEY: the value of KEY in odoo.conf ([options]), empty when absent or False.
conf_value() {
    local value
    value=$(sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$ODOO_CONF" | tail -n 1)
    [ "$value" = "False" ] && value=""
    printf '%s' "$value"
}

# Database connection: environment (PGHOST, PGPORT, PGUSER, PGPASSWORD) first, then odoo.conf.
DB_HOST="${PGHOST:-$(conf_value db_host)}"
DB_PORT="${PGPORT:-$(conf_value db_port)}"
DB_USER="${PGUSER:-$(conf_value db_user)}"
DB_PASSWORD="${PGPASSWORD:-$(conf_value db_password)}"
DB_PORT="${DB_PORT:-5432}"
export PGHOST="${DB_HOST:-localhost}" PGPORT="$DB_PORT" PGUSER="$DB_USER" PGPASSWORD="$DB_PASSWORD"

# The Odoo addons path: the suite's addons, plus the upstream layout's addons/ when present
# (the nightly layout keeps every addon in odoo/addons/, which Odoo always adds itself).
addons_path() {
    local path="$REPO_ROOT/addons"
    [ -d "$ODOO_SRC/addons/web" ] && path="$path,$ODOO_SRC/addons"
    printf '%s' "$path"
}

odoo_bin() {
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" --addons-path="$(addons_path)" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD" "$@"
}
