#!/usr/bin/env bash
# Deployment checks, for CI (test.sh can call this) and by hand:
#   1. the systemd units parse cleanly and `systemd-analyze security --offline` rates each <= 2.5;
#   2. install.sh / uninstall.sh (one copy in deploy-common for every target) pass shellcheck when present,
#      and behave (idempotent, keep configuration and data, roll back) in a scratch root;
#   3. the x64 archive publishes trimmed with zero trim warnings (publish.ps1 fails on any);
#   4. the published binary diagnoses a phantom with `classify` and serves a short `run` on a
#      temporary folder, reporting time-to-ready (READY=1 over a real NOTIFY_SOCKET) and idle RSS.
# Set DEPLOY_TESTS_SKIP_PUBLISH=1 to run only 1-2 (seconds instead of minutes).
# Ends with one line "deploy-tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
scratch="$(mktemp -d)"
agent_pid=""
cleanup() {
  if [ -n "$agent_pid" ]; then kill "$agent_pid" 2>/dev/null; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); printf '  ok   %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf '  FAIL %s\n' "$*"; }
check() { local what="$1"; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

echo "== systemd units"
units=(deploy-x64/edge-agent.service deploy-pi/edge-agent.service deploy-jetson/edge-agent.service)
# The CUDA archive adds its drop-in to the x64 unit: judge the combination.
mkdir -p "$scratch/cuda"
cat deploy-x64/edge-agent.service deploy-x64/gpu.conf > "$scratch/cuda/edge-agent.service"
units+=("$scratch/cuda/edge-agent.service")
if command -v systemd-analyze >/dev/null; then
  for unit in "${units[@]}"; do
    name="$unit"; [ "$unit" = "$scratch/cuda/edge-agent.service" ] && name="deploy-x64/edge-agent.service + gpu.conf"
    out="$(systemd-analyze security --offline=true "$unit" 2>&1)"
    score="$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')"
    if printf '%s\n' "$out" | grep -q -E 'Unknown key|Unknown section|Failed to parse|Invalid'; then
      bad "$name parses without unknown keys: $(printf '%s\n' "$out" | grep -E 'Unknown|Failed|Invalid' | head -3)"
    else
      ok "$name parses without unknown keys"
    fi
    if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }'; then
      ok "$name exposure $score <= 2.5"
    else
      bad "$name exposure '${score:-?}' <= 2.5"
    fi
  done
else
  echo "  (systemd-analyze not installed: unit checks skipped)"
fi

echo "== install scripts"
for t in x64 pi jetson; do
  check "deploy-$t has no install script of its own (deploy-common's serves every target)" \
    test ! -e "deploy-$t/install.sh" -a ! -e "deploy-$t/uninstall.sh"
done
if command -v shellcheck >/dev/null; then
  check "shellcheck install.sh uninstall.sh tests/deploy-tests.sh" shellcheck deploy-common/install.sh deploy-common/uninstall.sh tests/deploy-tests.sh
fi

# A fake release folder as an archive would unpack it (a stub binary is enough for the scripts).
make_release() { # $1 = folder, $2 = version
  mkdir -p "$1"
  cp deploy-x64/edge-agent.service deploy-common/install.sh deploy-common/uninstall.sh deploy-x64/README.md deploy-x64/edge-agent.example.json "$1/"
  printf '#!/bin/sh\necho stub\n' > "$1/edge-agent" && chmod +x "$1/edge-agent"
  printf 'TARGET=x64\nVERSION=%s\nARCH=x86_64\nDROPIN=\nONNXRUNTIME_FLAVOR=Cpu\n' "$2" > "$1/target.env"
}
root="$scratch/root"
export EDGE_AGENT_PREFIX="$root"
make_release "$scratch/r1" 1.0.0
make_release "$scratch/r2" 1.1.0
(cd "$scratch/r1" && ./install.sh >/dev/null)
check "first install makes 1.0.0 current" test "$(readlink "$root/opt/edge-agent/current")" = "$root/opt/edge-agent/releases/1.0.0"
check "first install writes the site config from the example" cmp -s "$root/etc/edge-agent/appsettings.json" deploy-x64/edge-agent.example.json
check "first install installs the unit" cmp -s "$root/etc/systemd/system/edge-agent.service" deploy-x64/edge-agent.service
echo '{"Agent":{"Site":"clinic-7"}}' > "$root/etc/edge-agent/appsettings.json"
echo "result" > "$root/var/lib/edge-agent/kept.json"
(cd "$scratch/r1" && ./install.sh >/dev/null)
check "reinstall keeps the edited site config" grep -q clinic-7 "$root/etc/edge-agent/appsettings.json"
check "reinstall keeps data" test -f "$root/var/lib/edge-agent/kept.json"
check "reinstall of the same release leaves no 'previous'" test ! -e "$root/opt/edge-agent/previous"
(cd "$scratch/r2" && ./install.sh >/dev/null)
check "update makes 1.1.0 current" test "$(readlink "$root/opt/edge-agent/current")" = "$root/opt/edge-agent/releases/1.1.0"
check "update keeps 1.0.0 as previous" test "$(readlink "$root/opt/edge-agent/previous")" = "$root/opt/edge-agent/releases/1.0.0"
"$root/opt/edge-agent/current/install.sh" --rollback >/dev/null
check "rollback makes 1.0.0 current again" test "$(readlink "$root/opt/edge-agent/current")" = "$root/opt/edge-agent/releases/1.0.0"
check "rollback keeps 1.1.0 as previous (roll forward)" test "$(readlink "$root/opt/edge-agent/previous")" = "$root/opt/edge-agent/releases/1.1.0"
for v in 1.2.0 1.3.0 1.4.0; do make_release "$scratch/r$v" "$v"; (cd "$scratch/r$v" && ./install.sh >/dev/null); sleep 1; done
check "old releases are pruned to three" test "$(find "$root/opt/edge-agent/releases" -mindepth 1 -maxdepth 1 | wc -l)" -eq 3
"$root/opt/edge-agent/current/uninstall.sh" >/dev/null
check "uninstall removes program files and unit" test ! -e "$root/opt/edge-agent" -a ! -e "$root/etc/systemd/system/edge-agent.service"
check "uninstall keeps config and data" test -f "$root/etc/edge-agent/appsettings.json" -a -f "$root/var/lib/edge-agent/kept.json"
check "uninstall twice is harmless" "$scratch/r1/uninstall.sh"
(cd "$scratch/r2" && ./install.sh >/dev/null)
check "install after uninstall finds the old config" grep -q clinic-7 "$root/etc/edge-agent/appsettings.json"
"$scratch/r1/uninstall.sh" --purge >/dev/null
check "uninstall --purge removes config and data" test ! -e "$root/etc/edge-agent" -a ! -e "$root/var/lib/edge-agent"
unset EDGE_AGENT_PREFIX

if [ "${DEPLOY_TESTS_SKIP_PUBLISH:-0}" = 1 ]; then
  echo "deploy-tests: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]; exit
fi

echo "== trimmed x64 publish"
out="$scratch/publish"
dotnet tool restore >/dev/null
if NO_COLOR=1 dotnet pwsh -NoLogo -File publish.ps1 -Target x64 -OutputDirectory "$out" > "$scratch/publish.txt" 2>&1; then
  ok "publish.ps1 -Target x64 (fails on any trim warning)"
else
  bad "publish.ps1 -Target x64: $(grep -E 'error|warning IL|Exception' "$scratch/publish.txt" | head -10)"
fi
sed -n '/Size report/,$p' "$scratch/publish.txt"
trim="$(grep -c -E '(warning|error) IL[0-9]{4}' "$out/x64.publish.log" 2>/dev/null || true)"
check "no trim warning or error in the publish log (found ${trim:-?})" test "${trim:-1}" = 0
archive="$(find "$out" -maxdepth 1 -name 'edge-agent-x64-*.tar.gz' | head -1)"
if [ -z "$archive" ]; then
  bad "x64 archive exists"
  echo "deploy-tests: $passed passed, $failed failed"; exit 1
fi
mkdir -p "$scratch/unpacked" && tar -C "$scratch/unpacked" -xzf "$archive"
app="$(find "$scratch/unpacked" -mindepth 1 -maxdepth 1 -type d | head -1)"
for f in edge-agent appsettings.json edge-agent.service install.sh uninstall.sh README.md target.env edge-agent.example.json; do
  check "archive holds $f" test -e "$app/$f"
done

echo "== published binary"
# Model: a complete package in the archive's models/, else EDGE_AGENT_TEST_MODEL. The archive ships the trained
# bundle (head + manifest template, not a package): classify assembles it with the shipped ResNet18 on first use.
model="$(find "$app/models" -mindepth 2 -maxdepth 2 -name manifest.json -printf '%h\n' 2>/dev/null | head -1)"
model="${model:-${EDGE_AGENT_TEST_MODEL:-}}"
# A 320x320 greyscale chest-like phantom PNG, written with the standard library only.
phantom="$scratch/phantom.png"
python3 - "$phantom" <<'PY'
import struct, sys, zlib, math
w = h = 320
rows = []
for y in range(h):
    row = bytearray([0])
    for x in range(w):
        u, v = (x + .5) / w, (y + .5) / h
        val = 20
        if ((u - .5) / .42) ** 2 + ((v - .55) / .5) ** 2 <= 1:
            val = 140
            for cu in (.32, .68):
                if ((u - cu) / .13) ** 2 + ((v - .5) / .32) ** 2 <= 1:
                    val = 70 + (55 if ((v + .05 * math.cos((u - .5) * 6.283)) * 14) % 1 < .22 else 0)
            if abs(u - .5) < .04:
                val = 205
        row.append(val)
    rows.append(bytes(row))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
verbs="$("$app/edge-agent" --help 2>&1)"
if printf '%s\n' "$verbs" | grep -q -w classify; then
  # Without a model argument classify falls back to the bundled package (or the agent's seeded fixture).
  model_arg=(); [ -n "$model" ] && model_arg=(--model "$model")
  if "$app/edge-agent" classify "$phantom" "${model_arg[@]}" > "$scratch/classify.txt" 2>&1; then
    ok "published binary classifies a phantom: $(head -c 200 "$scratch/classify.txt" | tr '\n' ' ')"
  else
    bad "published binary classify: $(tail -5 "$scratch/classify.txt")"
  fi
  # The package classify assembled from the bundle (or, failing that, its fixture) serves the run below.
  [ -z "$model" ] && model="$(find "${TMPDIR:-/tmp}/edge-agent-models" -mindepth 2 -maxdepth 2 -name manifest.json -printf '%h\n' 2>/dev/null | head -1)"
  [ -z "$model" ] && model="$(find "${TMPDIR:-/tmp}/edge-agent-fixture" -mindepth 2 -maxdepth 2 -name manifest.json -printf '%h\n' 2>/dev/null | head -1)"
else
  echo "  (the agent has no classify verb yet: skipped)"
fi
if [ -z "$model" ]; then
  echo "  (no model package in the archive, EDGE_AGENT_TEST_MODEL unset, no fixture: run skipped)"
else
  # `run` under a stand-in for systemd: a process named "systemd" that owns NOTIFY_SOCKET, so the
  # host's systemd integration is the real one; it records when READY=1 and WATCHDOG=1 arrive.
  data="$scratch/data"
  mkdir -p "$data/inbox"
  # The real interpreter, not a launcher shim that would pick a program by the name it is called with.
  ln -s "$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')" "$scratch/systemd"
  cat > "$scratch/fake-systemd.py" <<'PY'
import os, signal, socket, subprocess, sys, time
sock_path, log_path, *cmd = sys.argv[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="2000000")
start = time.monotonic()
child = subprocess.Popen(cmd, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
signal.signal(signal.SIGTERM, lambda *_: child.terminate())  # stop the agent as systemd would
s.settimeout(1)
with open(log_path + ".notify", "w") as out:
    while child.poll() is None:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            continue
        out.write("%.3f %s\n" % (time.monotonic() - start, msg.replace("\n", " ")))
        out.flush()
child.wait()
PY
  "$scratch/systemd" "$scratch/fake-systemd.py" "$scratch/notify.sock" "$scratch/run.log" \
    "$app/edge-agent" run --Agent:DataDirectory="$data" --Model:Path="$model" --Mqtt:Enabled=false &
  agent_pid=$!
  for _ in $(seq 1 120); do grep -q READY=1 "$scratch/run.log.notify" 2>/dev/null && break; sleep 0.5; done
  ready="$(sed -n 's/^\([0-9.]*\) .*READY=1.*/\1/p' "$scratch/run.log.notify" 2>/dev/null | head -1)"
  check "run sends READY=1 (time-to-ready ${ready:-none} s)" test -n "$ready"
  cp "$phantom" "$data/inbox/phantom.png"
  for _ in $(seq 1 60); do ls "$data/results/"*.json >/dev/null 2>&1 && break; sleep 0.5; done
  check "run diagnoses a file dropped into the inbox" ls "$data/results/"*.json
  sleep 3
  child="$(pgrep -P "$agent_pid" -f edge-agent | head -1)"
  rss="$(awk '/VmRSS/ {print $2}' "/proc/${child:-0}/status" 2>/dev/null)"
  echo "  idle RSS after one diagnosis: ${rss:-?} kB"
  check "watchdog pings while healthy" grep -q WATCHDOG=1 "$scratch/run.log.notify"
  kill "$agent_pid" 2>/dev/null; wait "$agent_pid" 2>/dev/null; agent_pid=""
  [ "$failed" -eq 0 ] || { echo "  --- run log"; tail -20 "$scratch/run.log"; }
fi

echo "deploy-tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
