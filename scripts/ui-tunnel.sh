#!/usr/bin/env bash
# Open the Prefect UI of the control VM on this laptop, through an SSM port-forwarding session
# (the VM has no open ports and no SSH). Needs the AWS CLI and its session-manager-plugin.
#
#   scripts/ui-tunnel.sh [--instance ID] [--local-port PORT]
#
# Without --instance it asks Terraform (infra/envs/prod) for the instance id. The UI's browser
# calls the API at PREFECT_UI_API_URL, http://localhost:4200/api on the VM: with another local
# port the page loads but its API calls fail, so the script says what to change.
set -euo pipefail

remote_port=4200
local_port=4200
instance_id=""

usage() { sed -n 5p "$0" | sed 's/^#   //' >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --instance) instance_id="${2:-}"; shift $(( $# > 1 ? 2 : 1 )) ;;
    --local-port) local_port="${2:-}"; shift $(( $# > 1 ? 2 : 1 )) ;;
    -h|--help) usage ;;
    *) echo "ui-tunnel: unknown argument $1" >&2; usage ;;
  esac
done

if ! [[ "$local_port" =~ ^[0-9]+$ ]] || [ "$local_port" -lt 1 ] || [ "$local_port" -gt 65535 ]; then
  echo "ui-tunnel: --local-port must be a port number, not '$local_port'." >&2
  exit 2
fi
command -v aws >/dev/null || { echo "ui-tunnel: install the AWS CLI first." >&2; exit 1; }
if [ -z "$instance_id" ]; then
  here="$(cd "$(dirname "$0")/.." && pwd)"
  instance_id="$(terraform -chdir="$here/infra/envs/prod" output -raw instance_id 2>/dev/null || true)"
fi
if ! [[ "$instance_id" =~ ^i-[0-9a-f]{8,17}$ ]]; then
  echo "ui-tunnel: no instance id; pass --instance i-... (terraform output instance_id)." >&2
  exit 2
fi

echo "Prefect UI: http://localhost:${local_port} (Ctrl-C closes the tunnel; the UI asks for the auth string)"
if [ "$local_port" != "$remote_port" ]; then
  echo "Local port ${local_port} differs from ${remote_port}: set" \
    "PREFECT_UI_API_URL=http://localhost:${local_port}/api in /etc/editorbot/editorbot.env" \
    "and restart the stack, or the UI cannot reach the API (docs/runbook.md, section 7)." >&2
fi
exec aws ssm start-session --target "$instance_id" \
  --document-name AWS-StartPortForwardingSession \
  --parameters "portNumber=${remote_port},localPortNumber=${local_port}"
