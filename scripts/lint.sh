#!/usr/bin/env bash
# The suite's checks, each by name: ruff (lint), ruff-format (format check), pylint
# (the pylint-odoo checks), pot (every addon's .pot), compose (docker-compose.yml when
# docker-compose is installed). With no name: `make lint`, which runs them all through
# pre-commit (.pre-commit-config.yaml), the hooks a contributor gets before committing.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
targets=(addons tests bench conftest.py)

check() {
    case "$1" in
        ruff) "$VENV/bin/ruff" check "${targets[@]}" ;;
        ruff-format) "$VENV/bin/ruff" format --check "${targets[@]}" ;;
        pylint) "$VENV/bin/pylint" --rcfile=.pylintrc addons/* ;;
        pot)
            local status=0 addon name
            for addon in addons/*/; do
                name=$(basename "$addon")
                [ -f "$addon/i18n/$name.pot" ] || { echo "missing $addon""i18n/$name.pot (make pot)"; status=1; }
            done
            return $status ;;
        compose)
            if command -v docker-compose >/dev/null 2>&1; then
                docker-compose -f docker-compose.yml config -q
            else
                echo "docker-compose not installed: docker-compose.yml not validated (apt-get install docker-compose)"
            fi ;;
        *) die "unknown check '$1' (ruff, ruff-format, pylint, pot, compose)" ;;
    esac
}

if [ $# -gt 0 ]; then
    status=0
    for name in "$@"; do check "$name" || status=1; done
    exit $status
fi
# pre-commit keeps its state in PRE_COMMIT_HOME; the hooks are local (this script), so it
# needs no network and runs the same checks with the virtualenv's pinned tools.
if "$VENV/bin/pre-commit" run --all-files --show-diff-on-failure --color=never; then
    say "lint: clean"
else
    say "lint: FAILED"
    exit 1
fi
