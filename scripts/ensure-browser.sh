#!/usr/bin/env bash
# The browser tests drive Debian's chromium; Chinese needs a CJK font to render.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for the browser tests ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "The browser tests need: ${missing[*]}."
  echo "Install them with: sudo apt-get install -y ${missing[*]}"
  echo "Without chromium the browser journeys are skipped locally (and fail under CI=true)."
fi
