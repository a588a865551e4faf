#!/usr/bin/env bash
# `terraform test` for every root/module that has tests/*.tftest.hcl.
# Needs Terraform >= 1.11 and the hashicorp/aws provider (downloaded by
# `terraform init`, or a local mirror via TF_CLI_CONFIG_FILE, as `make infra-test`
# does with infra/terraform-mirror.tfrc). The tests make no AWS calls: dummy
# credentials, and every lookup or AWS-assigned identifier overridden.
# Nothing lands in the tree: .terraform goes to a temporary TF_DATA_DIR, a committed
# lock file is only read, and a module's own lock file is git-ignored.
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
terraform_bin="${TERRAFORM:-terraform}"
data_root="$(mktemp -d)"
trap 'rm -rf "$data_root"' EXIT
# No update check (checkpoint.hashicorp.com): the run stays offline.
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
failed=()
passed=0

while IFS= read -r tests_dir; do
  dir="$(dirname "$tests_dir")"
  name="${dir#"$infra_dir"/}"
  export TF_DATA_DIR="$data_root/${name//\//_}"
  lockfile=()
  if [[ -f "$dir/.terraform.lock.hcl" ]]; then
    lockfile=(-lockfile=readonly)
  fi
  echo "== terraform test: ${name}"
  if "$terraform_bin" -chdir="$dir" init -backend=false -input=false -no-color "${lockfile[@]}" >/dev/null &&
    "$terraform_bin" -chdir="$dir" test -no-color; then
    passed=$((passed + 1))
  else
    failed+=("$name")
  fi
done < <(find "$infra_dir" -type d -name tests -not -path '*/.terraform/*' | sort)

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "terraform test: ${passed} passed, ${#failed[@]} failed (${failed[*]})"
  exit 1
fi
echo "terraform test: ${passed} passed, 0 failed"
