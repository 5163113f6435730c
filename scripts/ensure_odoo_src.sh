#!/usr/bin/env bash
# Make sure $ODOO_SRC holds an Odoo 17.0 source tree: use it when present, otherwise
# clone upstream 17.0 into it. Stops with a clear message when neither works.
source "$(dirname "$0")/common.sh"

if [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
    if [ -e "$ODOO_SRC" ] && [ -n "$(ls -A "$ODOO_SRC" 2>/dev/null)" ]; then
        die "ODOO_SRC=$ODOO_SRC exists but holds no Odoo source (no odoo/release.py).
Point ODOO_SRC at an Odoo 17.0 source tree, e.g. 'export ODOO_SRC=/opt/odoo-17.0'."
    fi
    say "No Odoo source at $ODOO_SRC: cloning Odoo 17.0 from $ODOO_REPO_URL"
    mkdir -p "$(dirname "$ODOO_SRC")"
    if ! git clone --depth 1 --branch 17.0 "$ODOO_REPO_URL" "$ODOO_SRC"; then
        rm -rf "$ODOO_SRC"
        die "Could not clone Odoo 17.0 into $ODOO_SRC.
Get an Odoo 17.0 source tree by other means and point ODOO_SRC at it:
  export ODOO_SRC=/path/to/odoo-17.0   # the folder that holds odoo-bin"
    fi
fi

series=$(sed -n "s/^version_info = (\([0-9]*\), *\([0-9]*\),.*/\1.\2/p" "$ODOO_SRC/odoo/release.py")
[ "$series" = "17.0" ] || die "ODOO_SRC=$ODOO_SRC is Odoo ${series:-of unknown version}, not 17.0. Point ODOO_SRC at an Odoo 17.0 tree."
[ -f "$ODOO_SRC/odoo-bin" ] || die "ODOO_SRC=$ODOO_SRC has no odoo-bin: not an Odoo source tree."
[ -d "$ODOO_SRC/addons/web" ] || [ -d "$ODOO_SRC/odoo/addons/web" ] \
    || die "ODOO_SRC=$ODOO_SRC has no web addon in addons/ or odoo/addons/: incomplete Odoo tree."
say "Odoo 17.0 source: $ODOO_SRC"
