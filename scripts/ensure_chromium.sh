#!/usr/bin/env bash
# Ensure Debian's Chromium (and a colour emoji font, so the shop's 👍/👎 buttons render in the
# end-to-end screenshots) is installed for the browser tests in tests/e2e. Idempotent: runs apt-get
# only when something is missing. Needs root for the install. The tests launch /usr/bin/chromium
# themselves (Playwright cannot download its own browsers here).
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-color-emoji 2>/dev/null | grep -q "install ok installed" \
  || missing+=(fonts-noto-color-emoji)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "ensure_chromium: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" >&2
fi
/usr/bin/chromium --version 2>/dev/null | head -n 1
