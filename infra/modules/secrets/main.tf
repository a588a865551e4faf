data "aws_caller_identity" "current" {}

locals {
  path_prefix = "/editorbot/${var.environment}"

  # Placeholders only: real values are put by hand with
  # `aws ssm put-parameter --overwrite` (docs/runbook.md). Each container role reads
  # `<path_prefix>/<role>/` and nothing else (modules/iam), so a secret two roles need
  # is a parameter under each: the Prefect auth string the server checks and every client
  # sends, and the Telegram token of the bot and of the runner's notify task.
  parameters = {
    "server/prefect_api_auth_string" = "Prefect server basic auth string (user:password) the server checks"
    "runner/prefect_api_auth_string" = "Prefect basic auth string the runner sends (same value as the server's)"
    "runner/telegram_bot_token"      = "Telegram bot token from @BotFather, for the runner's notify task"
    "runner/gemini_api_key"          = "Gemini API key"
    "bot/prefect_api_auth_string"    = "Prefect basic auth string the bot sends (same value as the server's)"
    "bot/telegram_bot_token"         = "Telegram bot token from @BotFather"
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name} SSM SecureString parameters"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-secrets"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:Key policy root statement is the standard IAM delegation; the resource "*" means this key only.
  #checkov:skip=CKV_AWS_111:Key policy root statement is the standard IAM delegation; the resource "*" means this key only.
  #checkov:skip=CKV_AWS_356:In a key policy "*" means this key only.
  statement {
    sid       = "AccountAdministersKeyViaIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_ssm_parameter" "this" {
  for_each = local.parameters

  name        = "${local.path_prefix}/${each.key}"
  description = "${each.value}. Set by hand; Terraform only creates the placeholder."
  type        = "SecureString"
  key_id      = aws_kms_key.this.arn

  # Write-only: the placeholder is sent once on create and is never stored in
  # state, and Terraform never reads the real value back into state either
  # (a plain `value` would be refreshed into state after the manual put).
  value_wo         = "placeholder-set-me-by-hand"
  value_wo_version = 1

  lifecycle {
    # The real value is managed outside Terraform; never diff or reset it.
    ignore_changes = [value]
  }
}
