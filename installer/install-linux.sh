#!/usr/bin/env bash
# Installs the spec_automation bundle for the current user, without root:
#   the bundle     PREFIX/opt/spec-automation/
#   the launcher   PREFIX/bin/spec-automation
#   the menu entry PREFIX/share/applications/spec-automation.desktop
#   the icons      PREFIX/share/icons/hicolor/*/apps/spec-automation.{png,svg}
# PREFIX is ~/.local unless --prefix says otherwise. --uninstall removes exactly those files
# (your projects, settings and data folders are yours and stay); the copy of this script
# installed in PREFIX/opt/spec-automation/ does it too.
#
# Usage: install-linux.sh [--prefix DIR] [--bundle DIR] [--uninstall]
# The bundle is the spec-automation/ folder beside this script (as in the release tarball), or
# dist/spec-automation/ of a source checkout after `make installer`.
set -euo pipefail

NAME=spec-automation
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="${HOME}/.local"
# The copy installed beside the bundle (PREFIX/opt/spec-automation/install-linux.sh) knows its
# prefix, so '~/.local/opt/spec-automation/install-linux.sh --uninstall' needs no option.
if [ "$(basename "$HERE")" = "$NAME" ] && [ "$(basename "$(dirname "$HERE")")" = opt ]; then
  PREFIX="$(dirname "$(dirname "$HERE")")"
fi
BUNDLE=""
ACTION=install

say() { printf '%s\n' "$*"; }
fail() { printf 'install-linux.sh: %s\n' "$*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || fail "--prefix needs a folder, for example --prefix ~/.local."
              PREFIX="$2"; shift 2 ;;
    --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
    --bundle) [ $# -ge 2 ] || fail "--bundle needs the bundle's folder."
              BUNDLE="$2"; shift 2 ;;
    --bundle=*) BUNDLE="${1#--bundle=}"; shift ;;
    --uninstall) ACTION=uninstall; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown option $1 (try --help)." ;;
  esac
done
case "$PREFIX" in
  /*) ;;
  *) PREFIX="$(pwd)/$PREFIX" ;;
esac

OPT="$PREFIX/opt/$NAME"
LAUNCHER="$PREFIX/bin/$NAME"
APPS="$PREFIX/share/applications"
DESKTOP="$APPS/$NAME.desktop"
ICONS="$PREFIX/share/icons/hicolor"

# Desktops watch the applications folder themselves. The entry declares no file types, so
# update-desktop-database is not run (it would leave a mimeinfo.cache behind); an icon cache is
# refreshed only where one is kept (a theme folder with an index.theme).
refresh_desktop() {
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$ICONS/index.theme" ]; then
    gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
  fi
}

# Remove a folder and then each parent it leaves empty, up to (not including) PREFIX.
remove_empty_parents() {
  local dir="$1"
  while [ "$dir" != "$PREFIX" ] && [ "${dir#"$PREFIX"/}" != "$dir" ] && [ -d "$dir" ]; do
    rmdir "$dir" 2>/dev/null || return 0
    dir="$(dirname "$dir")"
  done
}

# The window needs the desktop's X11 (or Wayland) client libraries, which the bundle takes from
# the system like any desktop app; say which are missing rather than fail at the first start.
check_desktop_libraries() {
  command -v ldd >/dev/null 2>&1 || return 0
  local plugin="$OPT/_internal/PySide6/Qt/plugins/platforms/libqxcb.so" missing packages
  [ -f "$plugin" ] || return 0
  missing="$(ldd "$plugin" 2>/dev/null | awk '/not found/ {print $1}' | sort -u | tr '\n' ' ')"
  [ -n "$missing" ] || return 0
  # Debian's package names: libfoo.so.4 is in libfoo4, libfoo2.so.0 in libfoo2-0.
  packages="$(printf '%s\n' $missing \
    | sed -E 's/^(.*[0-9])\.so\.([0-9]+).*/\1-\2/; s/^(.*)\.so\.([0-9]+).*/\1\2/' | tr '\n' ' ')"
  say "Note: the desktop app's window needs system libraries that are missing here: ${missing% }."
  say "      On Debian or Ubuntu: sudo apt-get install ${packages% }"
}

installed_icons() {
  [ -d "$ICONS" ] || return 0
  find "$ICONS" -path "*/apps/$NAME.png" -o -path "*/apps/$NAME.svg"
}

uninstall() {
  local found=0 icon
  if [ -d "$OPT" ]; then
    # Only a folder this script installed: it holds the bundle's executable.
    [ -x "$OPT/$NAME" ] || fail "$OPT does not look like an installed bundle; nothing was removed."
    rm -rf "$OPT"; found=1
  fi
  rm -rf "$OPT.new" "$OPT.old"
  if [ -f "$LAUNCHER" ] && grep -q "$OPT/$NAME" "$LAUNCHER"; then rm -f "$LAUNCHER"; found=1; fi
  if [ -f "$DESKTOP" ]; then rm -f "$DESKTOP"; found=1; fi
  while IFS= read -r icon; do
    rm -f "$icon"; found=1
    remove_empty_parents "$(dirname "$icon")"
  done < <(installed_icons)
  for dir in "$PREFIX/opt" "$PREFIX/bin" "$APPS" "$ICONS"; do remove_empty_parents "$dir"; done
  refresh_desktop
  if [ "$found" = 1 ]; then
    say "Removed spec_automation from $PREFIX."
  else
    say "spec_automation is not installed in $PREFIX; nothing was removed."
  fi
  say "Your projects, settings and data were left as they are."
}

find_bundle() {
  if [ -n "$BUNDLE" ]; then
    [ -x "$BUNDLE/$NAME" ] || fail "$BUNDLE holds no $NAME executable; give the bundle's folder."
    BUNDLE="$(cd "$BUNDLE" && pwd)"
    return
  fi
  for candidate in "$HERE/$NAME" "$HERE/../dist/$NAME"; do
    if [ -x "$candidate/$NAME" ]; then
      BUNDLE="$(cd "$candidate" && pwd)"
      return
    fi
  done
  fail "no bundle was found beside this script; build one with 'make installer' or give --bundle DIR."
}

install() {
  find_bundle
  local share="$BUNDLE/_internal/share"
  [ -f "$share/applications/$NAME.desktop" ] || fail "$BUNDLE has no desktop entry; rebuild it with 'make installer'."
  mkdir -p "$PREFIX/opt" "$PREFIX/bin" "$APPS" "$ICONS"

  # Copy beside the old version, then swap, so a failed copy leaves the old one working.
  rm -rf "$OPT.new" "$OPT.old"
  cp -a "$BUNDLE" "$OPT.new"
  [ ! -e "$OPT" ] || mv "$OPT" "$OPT.old"
  mv "$OPT.new" "$OPT"
  rm -rf "$OPT.old"
  cp "$HERE/install-linux.sh" "$OPT/install-linux.sh"

  # A script rather than a symbolic link: the bundle finds its _internal/ folder beside itself.
  cat > "$LAUNCHER.tmp" <<EOF
#!/bin/sh
# spec_automation's launcher, written by install-linux.sh; 'install-linux.sh --uninstall' removes it.
exec "$OPT/$NAME" "\$@"
EOF
  chmod 755 "$LAUNCHER.tmp"
  mv "$LAUNCHER.tmp" "$LAUNCHER"

  # The menu entry runs the launcher by its full path: ~/.local/bin is not always on the
  # desktop session's PATH.
  sed -e "s|^Exec=$NAME |Exec=\"$LAUNCHER\" |" -e "s|^TryExec=.*|TryExec=$LAUNCHER|" \
    "$share/applications/$NAME.desktop" > "$DESKTOP.tmp"
  mv "$DESKTOP.tmp" "$DESKTOP"

  (cd "$share/icons/hicolor" && find . -path "*/apps/$NAME.*" -type f) | while IFS= read -r icon; do
    mkdir -p "$ICONS/$(dirname "$icon")"
    cp "$share/icons/hicolor/$icon" "$ICONS/$icon"
  done
  refresh_desktop

  say "Installed spec_automation $("$LAUNCHER" --version | awk '{print $NF}') in $OPT."
  say "Run it from your desktop's menu, or as: $LAUNCHER"
  case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *) say "Note: $PREFIX/bin is not on your PATH; add it to run 'spec-automation' by name." ;;
  esac
  check_desktop_libraries
  say "To remove it: $OPT/install-linux.sh --uninstall"
}

"$ACTION"
