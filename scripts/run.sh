#!/usr/bin/env bash
# Serve the demo: set up what is missing, create svc_demo with the six addons and
# their demo data on first run, then run Odoo on http://localhost:8069 (admin / admin).
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

bash scripts/ensure_odoo_src.sh
bash scripts/ensure_venv.sh
bash scripts/ensure_postgres.sh

DB="${SVC_DB:-$(conf_value db_name)}"
DB="${DB:-svc_demo}"
if ! psql -d "$DB" -tAc "SELECT 1 FROM ir_module_module WHERE name = 'svc_ops_base' AND state = 'installed'" \
        2>/dev/null | grep -q 1; then
    created=1
    say "Creating $DB with the six addons and their demo data (a few minutes, once)"
    dropdb --if-exists "$DB"
    createdb "$DB"
    odoo_bin -d "$DB" -i "$SVC_ADDONS" --db-filter="^$DB\$" --stop-after-init --log-level=warn \
        || die "Installing the addons into $DB failed; it was left for inspection (make drop-demo to start over)."
fi
# Code pulled since the last run: upgrade the suite's addons once, so the database matches the code.
stamp_file="$SVC_HOME/$DB.addons-stamp"
stamp=$(cd "$REPO_ROOT" && find addons -type f ! -name '*.pyc' ! -path '*/i18n/*' -print0 | sort -z \
        | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ -z "${created:-}" ] && [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]; then
    say "The addons changed since $DB was last served: upgrading them"
    odoo_bin -d "$DB" -u "$SVC_ADDONS" --db-filter="^$DB\$" --stop-after-init --log-level=warn \
        || die "Upgrading the addons in $DB failed (make drop-demo, then make run, starts over)."
fi
echo "$stamp" > "$stamp_file"
say "Serving $DB on http://localhost:${HTTP_PORT:-8069} (admin / admin). Ctrl-C stops."
exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" --addons-path="$(addons_path)" \
    --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD" \
    -d "$DB" --db-filter= --http-port="${HTTP_PORT:-8069}" "$@"
