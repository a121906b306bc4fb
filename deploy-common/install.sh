#!/usr/bin/env bash
# Installs (or updates) EdgeAgent from the unpacked archive this script sits in.
#
#   sudo ./install.sh              install or update, then (re)start the service
#   sudo ./install.sh --no-start   install or update without starting
#   sudo /opt/edge-agent/current/install.sh --rollback
#                                  go back to the release that ran before the last update
#
# Safe to run again: configuration (/etc/edge-agent) and data (/var/lib/edge-agent) are never
# overwritten. Releases live side by side in /opt/edge-agent/releases/<version>; "current" and
# "previous" are symlinks, switched atomically. The same script is shipped for every target; the
# archive's target.env says which one it is.
#
# For tests: EDGE_AGENT_PREFIX=/some/dir installs below that folder and skips users and systemctl.
set -euo pipefail

prefix="${EDGE_AGENT_PREFIX:-}"
here="$(cd "$(dirname "$0")" && pwd)"
opt="$prefix/opt/edge-agent"
etc="$prefix/etc/edge-agent"
data="$prefix/var/lib/edge-agent"
units="$prefix/etc/systemd/system"
user=edge-agent
keep_releases=3

say() { printf 'edge-agent install: %s\n' "$*"; }
die() { printf 'edge-agent install: error: %s\n' "$*" >&2; exit 1; }
live() { [ -z "$prefix" ]; }

start=yes
mode=install
for arg in "$@"; do
  case "$arg" in
    --no-start) start=no ;;
    --rollback) mode=rollback ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown option '$arg' (try --help)" ;;
  esac
done

if live && [ "$(id -u)" -ne 0 ]; then die "run as root (sudo $0)"; fi
if live && ! command -v systemctl >/dev/null; then die "systemd is required (systemctl not found)"; fi

restart_service() {
  live || return 0
  systemctl daemon-reload
  if [ "$start" = yes ]; then
    systemctl enable edge-agent.service >/dev/null
    systemctl restart edge-agent.service
    say "started; check with: systemctl status edge-agent   and   journalctl -u edge-agent -f"
  fi
}

if [ "$mode" = rollback ]; then
  [ -L "$opt/previous" ] || die "no previous release to roll back to ($opt/previous is missing)"
  target_release="$(readlink "$opt/previous")"
  [ -d "$target_release" ] || die "previous release $target_release no longer exists"
  current_release="$(readlink "$opt/current" || true)"
  ln -sfn "$target_release" "$opt/current.new" && mv -T "$opt/current.new" "$opt/current"
  if [ -n "$current_release" ]; then
    ln -sfn "$current_release" "$opt/previous.new" && mv -T "$opt/previous.new" "$opt/previous"
  fi
  # The unit of the release rolled back to is the one that matches its binary.
  install -m 0644 "$target_release/edge-agent.service" "$units/edge-agent.service"
  say "rolled back to $(basename "$target_release")"
  restart_service
  exit 0
fi

# --- install / update -------------------------------------------------------------------------
[ -f "$here/target.env" ] || die "target.env not found next to $0: run install.sh from the unpacked archive"
# shellcheck disable=SC1091
. "$here/target.env"
[ -x "$here/edge-agent" ] || die "edge-agent binary not found in $here"
machine="$(uname -m)"
if live && [ "$machine" != "$ARCH" ]; then
  die "this archive is for $ARCH ($TARGET) but this machine is $machine: use the matching archive"
fi

# 1. A dedicated system user without a login or home of its own; device groups only where the unit uses them.
groups_needed="$(sed -n 's/^SupplementaryGroups=//p' "$here/edge-agent.service" | tr ' ' '\n' | sed '/^$/d')"
if live; then
  for group in $groups_needed; do
    getent group "$group" >/dev/null || { groupadd --system "$group"; say "created group $group"; }
  done
  if ! id "$user" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/edge-agent --no-create-home --shell /usr/sbin/nologin \
      --comment "EdgeAgent X-ray diagnosis service" "$user"
    say "created system user $user"
  fi
fi

# 2. Folders: configuration readable by the service only, data owned by it. Never emptied.
install -d -m 0755 "$opt" "$opt/releases"
install -d -m 0750 "$etc" "$etc/keys" "$data"
if live; then
  chown root:"$user" "$etc" "$etc/keys"
  chown "$user":"$user" "$data"
fi
if [ ! -e "$etc/appsettings.json" ]; then
  install -m 0640 "$here/edge-agent.example.json" "$etc/appsettings.json"
  live && chown root:"$user" "$etc/appsettings.json"
  say "wrote $etc/appsettings.json from the example: set the site, broker and keys there"
else
  say "kept existing $etc/appsettings.json"
fi

# 3. The release itself, copied complete before anything points at it.
release="$opt/releases/$VERSION"
if [ "$(cd "$here" && pwd -P)" != "$(cd "$release" 2>/dev/null && pwd -P || true)" ]; then
  rm -rf "$release.partial"
  cp -a "$here" "$release.partial"
  chown -R root:root "$release.partial" 2>/dev/null || true
  chmod -R go-w "$release.partial"
  rm -rf "$release"
  mv "$release.partial" "$release"
fi
touch "$release" # pruning below goes by install time, not by when the archive was built

# 4. Switch "current" atomically; remember what ran before for --rollback.
old="$(readlink "$opt/current" 2>/dev/null || true)"
if [ -n "$old" ] && [ "$old" != "$release" ]; then
  ln -sfn "$old" "$opt/previous.new" && mv -T "$opt/previous.new" "$opt/previous"
fi
ln -sfn "$release" "$opt/current.new" && mv -T "$opt/current.new" "$opt/current"
say "release $VERSION ($TARGET) is current"

# 5. The unit (ours; local changes belong in drop-ins) and, for GPU targets, our drop-in.
install -d -m 0755 "$units"
install -m 0644 "$release/edge-agent.service" "$units/edge-agent.service"
if [ -n "${DROPIN:-}" ]; then
  install -d -m 0755 "$units/edge-agent.service.d"
  install -m 0644 "$release/$DROPIN" "$units/edge-agent.service.d/10-${DROPIN}"
fi

# 6. Keep the newest releases, never the ones current or previous point at.
keep_current="$(readlink "$opt/current" || true)"
keep_previous="$(readlink "$opt/previous" 2>/dev/null || true)"
# shellcheck disable=SC2012
ls -1dt "$opt/releases"/*/ 2>/dev/null | sed 's:/$::' | tail -n +$((keep_releases + 1)) | while read -r stale; do
  if [ "$stale" != "$keep_current" ] && [ "$stale" != "$keep_previous" ]; then
    rm -rf "$stale"
    say "removed old release $(basename "$stale")"
  fi
done

if [ "$TARGET" = jetson ] && [ ! -e "$opt/onnxruntime/lib/libonnxruntime.so" ]; then
  say "NOTE: copy JetPack's libonnxruntime.so (ONNX Runtime 1.32.x with CUDA/TensorRT) to $opt/onnxruntime/lib/ (see README.md)"
fi

restart_service
