#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian 12 machine with the .NET 10 SDK.
# Installs what the tests need when it is missing, then builds and tests everything.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)   # the closing summary line
command -v mosquitto >/dev/null 2>&1 || need+=(mosquitto)
command -v mosquitto_sub >/dev/null 2>&1 || need+=(mosquitto-clients)
command -v img2dcm >/dev/null 2>&1 || need+=(dcmtk)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The tests start their own mosquitto instances; the packaged system service is not used.
systemctl disable --now mosquitto >/dev/null 2>&1 || true

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
dotnet build EdgeAgent.sln -c Release -nologo -v q
set +e
dotnet test EdgeAgent.sln -c Release --no-build -nologo \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=false
status=$?
# Deployment checks: systemd units, install scripts, a trimmed x64 publish and the published binary as a service.
bash tests/deploy-tests.sh | tee "$results/deploy.txt"
deploy_status=${PIPESTATUS[0]}
[ "$deploy_status" -eq 0 ] || status=1
set -e
# One closing line over every test project (TRX files) and the deployment checks.
python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    s += int(c.get("notExecuted", 0))
import re
m = re.search(r"deploy-tests: (\d+) passed, (\d+) failed", open(sys.argv[1] + "/deploy.txt").read())
if m:
    p += int(m.group(1)); f += int(m.group(2))
else:
    f += 1  # the deployment checks did not finish
print(f"Tests: {p} passed, {f} failed, {s} skipped")
PY
exit $status
