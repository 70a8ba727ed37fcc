#!/usr/bin/env bash
# Debian packages the test suite drives for real: Chromium (browser journeys), nginx with
# its RTMP module and ffmpeg (live ingest), poppler-utils (pdftoppm renders a shipping label
# for the docs). Installs what is missing when it can (root with apt-get); otherwise says
# what to install and fails.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v nginx >/dev/null 2>&1 || need+=(nginx)
ls /usr/lib/nginx/modules/ngx_rtmp_module.so >/dev/null 2>&1 || need+=(libnginx-mod-rtmp)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages the tests use: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # nginx from Debian starts a service on port 80; the tests run their own instances.
  (service nginx stop || nginx -s stop) >/dev/null 2>&1 || true
else
  echo "The test suite needs these Debian packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
