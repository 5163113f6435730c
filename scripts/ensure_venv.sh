#!/usr/bin/env bash
# Make sure $VENV has Odoo 17's requirements and the suite's own. Re-running is fast:
# nothing is installed when the requirement files and Python have not changed.
source "$(dirname "$0")/common.sh"

pick_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.11 python3.12 python3.10 python3; do
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))'; then
            command -v "$candidate"; return 0
        fi
    done
    return 1
}

if [ ! -x "$VENV/bin/python" ]; then
    python=$(pick_python) || die "Odoo 17 needs Python 3.10 to 3.12; none found. Set PYTHON=/path/to/python3.11."
    say "Creating the virtualenv $VENV with $python"
    "$python" -m venv "$VENV"
fi

# Odoo's requirements, less python-ldap (needs system headers; the suite uses no LDAP)
# and psycopg2 (built from source; the suite's requirements bring psycopg2-binary).
filtered="$VENV/odoo-requirements.txt"
grep -viE '^(python-ldap|psycopg2)[=<> ;]' "$ODOO_SRC/requirements.txt" > "$filtered.new"
mv "$filtered.new" "$filtered"

stamp=$( (cat "$filtered" "$REPO_ROOT/requirements.txt"; "$VENV/bin/python" -VV; echo "$ODOO_SRC") | sha256sum | cut -d' ' -f1)
if [ "$(cat "$VENV/.svc-stamp" 2>/dev/null)" != "$stamp" ]; then
    say "Installing Odoo 17 and suite requirements into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip wheel 'setuptools<70'
    "$VENV/bin/python" -m pip install -q -r "$filtered" -r "$REPO_ROOT/requirements.txt" \
        || die "Installing the Python requirements failed (see pip's message above)."
    # Make 'import odoo' work inside the virtualenv without copying the source.
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$ODOO_SRC" > "$site/svc_odoo_src.pth"
    echo "$stamp" > "$VENV/.svc-stamp"
fi
"$VENV/bin/python" -c 'import odoo.release as r; assert r.serie == "17.0"' \
    || die "The virtualenv $VENV cannot import Odoo 17 from $ODOO_SRC."
say "Virtualenv ready: $VENV"
