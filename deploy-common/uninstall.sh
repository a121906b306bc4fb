#!/usr/bin/env bash
# Removes EdgeAgent's service and program files. Safe to run more than once.
#
#   sudo ./uninstall.sh           keep configuration (/etc/edge-agent), data (/var/lib/edge-agent)
#                                 and the edge-agent user, so a later install carries on where it left off
#   sudo ./uninstall.sh --purge   also delete configuration, keys, data (results, outbox) and the user
#
# For tests: EDGE_AGENT_PREFIX=/some/dir works below that folder and skips users and systemctl.
set -euo pipefail

prefix="${EDGE_AGENT_PREFIX:-}"
opt="$prefix/opt/edge-agent"
etc="$prefix/etc/edge-agent"
data="$prefix/var/lib/edge-agent"
units="$prefix/etc/systemd/system"
purge=no

say() { printf 'edge-agent uninstall: %s\n' "$*"; }
live() { [ -z "$prefix" ]; }

for arg in "$@"; do
  case "$arg" in
    --purge) purge=yes ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) printf 'edge-agent uninstall: error: unknown option %s\n' "$arg" >&2; exit 1 ;;
  esac
done
if live && [ "$(id -u)" -ne 0 ]; then printf 'edge-agent uninstall: error: run as root\n' >&2; exit 1; fi

if live && command -v systemctl >/dev/null; then
  systemctl disable --now edge-agent.service 2>/dev/null || true
fi
rm -f "$units/edge-agent.service"
# Our drop-ins are named 10-*; an operator's own (from systemctl edit: override.conf) stay unless purging.
rm -f "$units/edge-agent.service.d/"10-*.conf
rmdir "$units/edge-agent.service.d" 2>/dev/null || true
if live && command -v systemctl >/dev/null; then systemctl daemon-reload || true; fi

# The JetPack ONNX Runtime under /opt/edge-agent/onnxruntime is the device's, not ours: keep it.
if [ -d "$opt" ]; then
  rm -rf "$opt/releases" "$opt/current" "$opt/previous" "$opt"/*.new
  rmdir "$opt" 2>/dev/null || true
fi
say "removed the service and program files"

if [ "$purge" = yes ]; then
  rm -rf "$etc" "$data" "$units/edge-agent.service.d"
  if live && id edge-agent >/dev/null 2>&1; then userdel edge-agent || true; fi
  say "purged configuration, keys, data and the edge-agent user"
else
  say "kept $etc (configuration, keys) and $data (results, outbox); --purge removes them"
fi
