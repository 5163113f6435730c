#!/usr/bin/env bash
# Browser tours need Chromium: Odoo silently skips a tour when it finds none. Find one,
# or install Debian's chromium when we are root with apt; otherwise stop and say so.
source "$(dirname "$0")/common.sh"

for exe in google-chrome chromium chromium-browser google-chrome-stable; do
    if command -v "$exe" >/dev/null 2>&1; then say "Browser for tours: $(command -v "$exe")"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "No Chromium found: installing Debian's chromium for the browser tours"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null \
        || die "apt-get could not install chromium. Install Chromium or Google Chrome so the browser tours can run."
    command -v chromium >/dev/null || die "chromium was installed but is not on PATH."
    say "Browser for tours: $(command -v chromium)"
    exit 0
fi
die "No Chromium or Google Chrome on PATH: the browser tours cannot run. Install one (e.g. 'sudo apt-get install chromium')."
