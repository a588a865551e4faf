#!/usr/bin/env bash
# `terraform test` for every root/module that has tests/*.tftest.hcl.
# Needs Terraform >= 1.11 and the hashicorp/aws provider (downloaded by
# `terraform init`, or a local mirror via TF_CLI_CONFIG_FILE). The tests make
# no AWS calls: dummy credentials, overridden lookups, or a mocked provider.
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
terraform_bin="${TERRAFORM:-terraform}"
failed=()
passed=0

while IFS= read -r tests_dir; do
  dir="$(dirname "$tests_dir")"
  name="${dir#"$infra_dir"/}"
  echo "== terraform test: ${name}"
  if "$terraform_bin" -chdir="$dir" init -backend=false -input=false -no-color >/dev/null &&
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
