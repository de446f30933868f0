#!/usr/bin/env bash
# Installs Debian's Chromium (and a colour emoji font) for the sandbox's browser test, when missing.
# Never fails: where it cannot install (no apt-get, not root, no network), the browser test skips (fails under CI=true)
# with a loud message instead. Used by .ci/run and by test/e2e/sandbox-browser.test.ts.
set -u
CHROMIUM="${SANDBOX_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
warn() { echo "ensure-chromium: $*; the sandbox browser test will be skipped (and fail under CI=true)." >&2; exit 0; }
command -v apt-get >/dev/null 2>&1 || warn "apt-get is not available"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else warn "installing needs root"; fi
fi
echo "ensure-chromium: installing Debian's chromium with apt-get (one time)…" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || warn "apt-get update failed"
$SUDO apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null 2>&1 || warn "apt-get install chromium failed"
[ -x "$CHROMIUM" ] || warn "chromium is still missing after apt-get"
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed." >&2
exit 0
