locals {
  document_name = "${var.name}-deploy"
  digest        = "^sha256:[0-9a-f]{64}$"

  # SSM runs the script with /bin/sh (dash on Ubuntu): POSIX only, no pipefail.
  # Every {{ parameter }} is constrained by its allowedPattern (hex only), so none
  # can inject shell. Images come only from the one repository named here.
  commands = [
    "set -eu",
    "cd ${var.app_dir}",
    "set -a; . /etc/editorbot/editorbot.env; set +a",
    "repo='${var.image_repository_url}'",
    "echo \"deploying commit {{ commit }}\"",
    # 1. Pull first: a digest that cannot be pulled changes nothing on the VM.
    "docker pull --quiet \"$repo@{{ serverDigest }}\"",
    "docker pull --quiet \"$repo@{{ runnerDigest }}\"",
    "docker pull --quiet \"$repo@{{ botDigest }}\"",
    # 2. The compose files of the same commit. Nothing is built from the checkout.
    "git fetch --quiet origin '{{ commit }}'",
    "git checkout --quiet --force --detach '{{ commit }}'",
    # 3. The release: which digest each service runs (editorbot.service reads it).
    "printf 'EDITORBOT_RELEASE=%s\\nEDITORBOT_SERVER_IMAGE=%s\\nEDITORBOT_RUNNER_IMAGE=%s\\nEDITORBOT_BOT_IMAGE=%s\\n' '{{ commit }}' \"$repo@{{ serverDigest }}\" \"$repo@{{ runnerDigest }}\" \"$repo@{{ botDigest }}\" > /etc/editorbot/release.env.new",
    "mv -f /etc/editorbot/release.env.new /etc/editorbot/release.env",
    "set -a; . /etc/editorbot/release.env; set +a",
    "systemctl restart ${var.service_name}",
    # 4. Healthy within the health checks' start periods, or the deploy fails.
    "healthy=0; for _ in $(seq 1 ${var.health_wait_seconds / 5}); do healthy=$(docker compose ps | grep -c '(healthy)' || true); [ \"$healthy\" -ge 3 ] && break; sleep 5; done",
    "docker compose ps",
    "[ \"$healthy\" -ge 3 ] || { journalctl -u ${var.service_name} -n 50 --no-pager; echo 'not healthy: roll back (docs/runbook.md section 4)'; exit 1; }",
    # 5. Remember the release; keep the images of the last ${var.releases_kept_on_vm} on disk, remove the rest.
    "echo '{{ commit }} {{ serverDigest }} {{ runnerDigest }} {{ botDigest }}' >> /var/lib/editorbot/releases",
    "keep=$(tail -n ${var.releases_kept_on_vm} /var/lib/editorbot/releases)",
    "docker image ls --digests --no-trunc \"$repo\" | awk 'NR > 1 { print $3 }' | while read -r digest; do case \"$keep\" in *\"$digest\"*) ;; *) docker image rm \"$repo@$digest\" >/dev/null || true ;; esac; done",
    "docker image prune --force >/dev/null",
    "echo \"deployed {{ commit }}\"",
  ]

  content = {
    schemaVersion = "2.2"
    description   = "Run an EditorBot release on the VM: pull its three images by digest from ${var.image_repository_url}, check out the commit's compose files, restart ${var.service_name}, wait for health, prune older images."
    parameters = {
      commit = {
        type           = "String"
        description    = "The release's commit SHA on main (40 hex characters)."
        allowedPattern = "^[0-9a-f]{40}$"
      }
      serverDigest = {
        type           = "String"
        description    = "Digest of the server image (sha256:...), from the commit's server-<sha> tag."
        allowedPattern = local.digest
      }
      runnerDigest = {
        type           = "String"
        description    = "Digest of the runner image (sha256:...), from the commit's runner-<sha> tag."
        allowedPattern = local.digest
      }
      botDigest = {
        type           = "String"
        description    = "Digest of the bot image (sha256:...), from the commit's bot-<sha> tag."
        allowedPattern = local.digest
      }
    }
    mainSteps = [
      {
        action = "aws:runShellScript"
        name   = "deploy"
        precondition = {
          StringEquals = ["platformType", "Linux"]
        }
        inputs = {
          timeoutSeconds   = tostring(var.timeout_seconds)
          workingDirectory = var.app_dir
          runCommand       = local.commands
        }
      },
    ]
  }
}

resource "aws_ssm_document" "this" {
  name            = local.document_name
  document_type   = "Command"
  document_format = "JSON"
  target_type     = "/AWS::EC2::Instance"
  content         = jsonencode(local.content)
}
