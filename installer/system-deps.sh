#!/usr/bin/env bash
# Installs the Debian libraries Qt (PySide6) needs, when they are missing and we are root.
# Without root, or on a system without apt-get, it only says what is missing.
set -euo pipefail

# library file -> Debian package that provides it
declare -A LIBS=(
  [libGL.so.1]=libgl1
  [libEGL.so.1]=libegl1
  [libxkbcommon.so.0]=libxkbcommon0
  [libfontconfig.so.1]=libfontconfig1
  [libglib-2.0.so.0]=libglib2.0-0
  [libdbus-1.so.3]=libdbus-1-3
  [libX11.so.6]=libx11-6
  [libxcb.so.1]=libxcb1
)

missing=()
for lib in "${!LIBS[@]}"; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing+=("${LIBS[$lib]}")
done
if ! fc-list 2>/dev/null | grep -qi dejavu && [ ! -d /usr/share/fonts/truetype/dejavu ]; then
  missing+=(fonts-dejavu-core)
fi
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  missing+=(python3-venv)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system libraries: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Note: these system packages seem to be missing: ${missing[*]}" >&2
  echo "      Install them with your package manager if the app fails to start." >&2
fi
