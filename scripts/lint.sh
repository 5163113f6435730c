#!/usr/bin/env bash
# ruff (lint + format check), pylint with the pylint-odoo checks, every addon's .pot,
# and docker-compose.yml validation when docker-compose is available.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
status=0
targets=(addons tests bench conftest.py)

say "ruff check"
"$VENV/bin/ruff" check "${targets[@]}" || status=1
say "ruff format --check"
"$VENV/bin/ruff" format --check "${targets[@]}" || status=1
say "pylint (pylint-odoo checks)"
"$VENV/bin/pylint" --rcfile=.pylintrc addons/* || status=1
say "each addon ships i18n/<addon>.pot"
for addon in addons/*/; do
    name=$(basename "$addon")
    [ -f "$addon/i18n/$name.pot" ] || { echo "missing $addon""i18n/$name.pot (make pot)"; status=1; }
done
if command -v docker-compose >/dev/null 2>&1; then
    say "docker-compose config"
    docker-compose -f docker-compose.yml config -q || status=1
else
    say "docker-compose not installed: docker-compose.yml not validated (apt-get install docker-compose)"
fi
[ $status = 0 ] && say "lint: clean" || say "lint: FAILED"
exit $status
