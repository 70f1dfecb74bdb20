#!/usr/bin/env bash
# The Windows leg of CI (see tools/windows_check.py): Debian's wine, a Russian locale, the
# mingw compiler for wine's missing bcryptprimitives.dll; then the check itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
need=()
command -v wine >/dev/null 2>&1 || need+=(wine wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need+=(gcc-mingw-w64-x86-64)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
[ -f /usr/sbin/locale-gen ] || need+=(locales)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq || true
  if ! apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    # exit 3: not run (nothing to install it from), as tools/windows_check.py says it
    echo "[windows] NOT RUN: Debian's packages ${need[*]} could not be installed (no package archive?)"
    exit 3
  fi
fi
if ! locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\?8$'; then
  sed -i 's/^# *\(ru_RU.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -q '^ru_RU.UTF-8 UTF-8' /etc/locale.gen || echo 'ru_RU.UTF-8 UTF-8' >> /etc/locale.gen
  locale-gen >/dev/null
fi
exec python3 tools/windows_check.py "$@"
