#!/usr/bin/env bash
# One wheel per addon (odoo_addon_<name>-17.0.x.y.z.N-py3-none-any.whl), built with the
# whool backend as OCA publishes its addons, from the files git tracks. DIST_DIR, default dist/.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
DIST_DIR="${DIST_DIR:-$REPO_ROOT/dist}"
mkdir -p "$DIST_DIR"
rm -f "$DIST_DIR"/odoo_addon_svc_*.whl
for addon in addons/*/; do
    [ -f "$addon/pyproject.toml" ] || die "$addon has no pyproject.toml: every addon is a package."
    # --no-isolation: whool and build come pinned with the virtualenv (requirements.txt)
    "$VENV/bin/python" -m build --wheel --no-isolation --outdir "$DIST_DIR" "$addon" >"$DIST_DIR/.build.log" 2>&1 \
        || { cat "$DIST_DIR/.build.log" >&2; die "Building the wheel of $addon failed."; }
done
rm -f "$DIST_DIR/.build.log"
say "Wheels in $DIST_DIR:"
ls -1 "$DIST_DIR"/odoo_addon_svc_*.whl >&2
