locals {
  document_name = "${var.name}-deploy"

  # SSM runs the script with /bin/sh (dash on Ubuntu): POSIX only, no pipefail.
  # {{ ref }} is constrained by allowedPattern, so it cannot inject shell.
  commands = [
    "set -eu",
    "cd ${var.app_dir}",
    "echo \"deploying ref {{ ref }} into ${var.app_dir}\"",
    "git fetch --prune --tags origin '{{ ref }}'",
    "git checkout --force --detach FETCH_HEAD",
    "echo \"checked out $(git rev-parse HEAD)\"",
    "docker compose build --pull",
    "systemctl restart ${var.service_name}",
    "sleep 5",
    "systemctl is-active --quiet ${var.service_name} || { journalctl -u ${var.service_name} -n 50 --no-pager; exit 1; }",
    "docker compose ps",
    "echo \"deployed $(git rev-parse HEAD)\"",
  ]

  content = {
    schemaVersion = "2.2"
    description   = "Fetch a commit ref of EditorBot into ${var.app_dir}, rebuild the images and restart ${var.service_name}."
    parameters = {
      ref = {
        type           = "String"
        description    = "Commit SHA, tag or branch to deploy (rollback = an older SHA)."
        allowedPattern = "^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$"
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
