#!/usr/bin/env bash
# Offline static checks of infra/: terraform fmt, checkov, trivy (in that order).
# Usage: python -m pip install -r infra/requirements-check.txt && bash infra/check.sh
# Runs every check even when an earlier one fails, then prints one summary line
# and exits non-zero if any check failed.
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
started=$SECONDS

# Prefer the tools pip just installed next to the running Python: a system
# terraform or trivy elsewhere on PATH must not silently change the result.
scripts_dir="$(python -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null || true)"
tool() {
  if [[ -n "$scripts_dir" && -x "$scripts_dir/$1" ]]; then
    printf '%s\n' "$scripts_dir/$1"
  elif command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
  else
    echo "check.sh: '$1' not found; run: python -m pip install -r infra/requirements-check.txt" >&2
    exit 127
  fi
}
terraform_bin="$(tool terraform)"
checkov_bin="$(tool checkov)"
trivy_bin="$(tool trivy)"

# Keep every tool off the network: no checkov guideline/mapping download,
# no trivy check-bundle pull, no version or telemetry calls.
export BC_SKIP_MAPPING=TRUE
export CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
export TF_IN_AUTOMATION=1

log_dir="$(mktemp -d)"
trap 'rm -rf "$log_dir"' EXIT

failed=()

echo "== terraform fmt ($("$terraform_bin" version | head -n 1))"
if "$terraform_bin" fmt -check -recursive -diff "$infra_dir"; then
  fmt_result="ok"
else
  fmt_result="FAILED"
  failed+=(fmt)
fi

echo "== checkov"
if "$checkov_bin" --directory "$infra_dir" --framework terraform \
  --download-external-modules false --skip-download \
  --compact --quiet 2>&1 | tee "$log_dir/checkov.txt"; then
  checkov_rc=0
else
  checkov_rc=$?
fi
checkov_counts="$(grep -Eo 'Passed checks: [0-9]+, Failed checks: [0-9]+, Skipped checks: [0-9]+' "$log_dir/checkov.txt" |
  awk -F'[:,] *' '{p += $2; f += $4; s += $6} END {printf "%d passed/%d failed/%d skipped", p, f, s}')"
if [[ $checkov_rc -ne 0 ]]; then
  failed+=(checkov)
fi

echo "== trivy config (HIGH,CRITICAL)"
if "$trivy_bin" config --quiet --skip-check-update --skip-version-check --disable-telemetry \
  --severity HIGH,CRITICAL --exit-code 1 "$infra_dir" 2>&1 | tee "$log_dir/trivy.txt"; then
  trivy_result="0 HIGH/CRITICAL"
else
  trivy_result="findings: $(grep -Ec '^(AVD-)?[A-Z]+-[0-9]+ \((HIGH|CRITICAL)\)' "$log_dir/trivy.txt" || true) HIGH/CRITICAL"
  failed+=(trivy)
fi

status="OK"
if [[ ${#failed[@]} -gt 0 ]]; then
  status="FAILED (${failed[*]})"
fi
echo "infra checks: fmt ${fmt_result}; checkov ${checkov_counts:-no result}; trivy ${trivy_result}; $((SECONDS - started))s; ${status}"
[[ ${#failed[@]} -eq 0 ]]
