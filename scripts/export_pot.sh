#!/usr/bin/env bash
# Regenerate every addon's i18n/<addon>.pot from a scratch database with the addons installed.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
DB="svc_pot_$$"
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
createdb "$DB"
odoo_bin -d "$DB" -i "$SVC_ADDONS" --without-demo=all --db-filter="^$DB\$" --stop-after-init --log-level=warn
for addon in ${SVC_ADDONS//,/ }; do
    mkdir -p "addons/$addon/i18n"
    odoo_bin -d "$DB" --db-filter="^$DB\$" --modules="$addon" --i18n-export="addons/$addon/i18n/$addon.pot" \
        --stop-after-init --log-level=warn
    say "addons/$addon/i18n/$addon.pot"
done
