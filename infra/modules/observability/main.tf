data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  # app: container stdout/stderr via Docker's awslogs driver.
  # system: cloud-init, deploy and syslog files via the CloudWatch agent.
  log_groups = {
    app    = "/editorbot/${var.environment}/app"
    system = "/editorbot/${var.environment}/system"
  }

  topic_name  = "${var.name}-alerts"
  budget_name = "${var.name}-monthly"
  kms_alias   = "alias/${var.name}-observability"
  alarm_names = {
    cpu             = "${var.name}-cpu-high"
    disk            = "${var.name}-disk-high"
    status_check    = "${var.name}-status-check-failed"
    flow_run_failed = "${var.name}-flow-run-failed"
  }

  # A failed or crashed flow run, as the runner container logs it to the app group
  # (editorbot.logs.JsonFormatter, one JSON object per line), e.g.
  #   {"time": "...", "level": "INFO", "logger": "prefect.flow_runs",
  #    "message": "Finished in state Failed('Flow run encountered an exception: ...')", ...}
  # Prefect's engine logs that line once per run that ends Failed, Crashed or VideoFailed
  # (published, a video missing: replay it). A run that crashed twice is closed from outside
  # by flows/recovery.py, which logs "Crashed twice: run ...". An approval nobody gave in
  # time ends "Expired(...)" and a rejection "Rejected(...)": not failures.
  # tests/infra/test_terraform.py runs real failed and successful runs against it.
  flow_run_failed_pattern = "{ (($.logger = \"prefect.flow_runs\") && (($.message = \"Finished in state Failed(*\") || ($.message = \"Finished in state Crashed(*\") || ($.message = \"Finished in state VideoFailed(*\"))) || (($.logger = \"flows.recovery\") && ($.message = \"Crashed twice: *\")) }"
  metrics_namespace       = "EditorBot/${var.environment}"
  kms_key_arn             = var.enable_kms ? aws_kms_key.this[0].arn : null
}

resource "aws_kms_key" "this" {
  count = var.enable_kms ? 1 : 0

  description             = "${var.name} log groups and alert topic"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  count = var.enable_kms ? 1 : 0

  name          = local.kms_alias
  target_key_id = aws_kms_key.this[0].key_id
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:Key policy statements with resource "*" mean this key only.
  #checkov:skip=CKV_AWS_111:Key policy statements with resource "*" mean this key only.
  #checkov:skip=CKV_AWS_356:In a key policy "*" means this key only.
  statement {
    sid       = "AccountAdministersKeyViaIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsUsesKeyForOwnGroups"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${local.region}:${local.account_id}:log-group:/editorbot/${var.environment}/*"]
    }
  }

  # Alarms and budgets publish to the encrypted topic; SNS needs them to be
  # able to use the key.
  statement {
    sid       = "AlarmAndBudgetPublishersUseKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Logs carry chat ids and run keys; a short retention (default 30 days) is deliberate data minimisation, not an oversight.
  for_each = local.log_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn
}

resource "aws_sns_topic" "this" {
  name              = local.topic_name
  kms_master_key_id = var.enable_kms ? aws_kms_key.this[0].arn : "alias/aws/sns"
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "AccountOwnerManagesTopic"
    actions   = ["sns:*"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "AlarmsAndBudgetsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "this" {
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = local.alarm_names.cpu
  alarm_description   = "Control VM CPU above ${var.cpu_threshold_percent}% for 15 minutes (Whisper stuck, or t3 credits draining)."
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.cpu_threshold_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "missing"
  dimensions = {
    InstanceId = var.instance_id
  }
  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
}

# disk_used_percent comes from the CloudWatch agent (namespace CWAgent); the
# agent config in control_vm aggregates it on exactly these two dimensions.
resource "aws_cloudwatch_metric_alarm" "disk" {
  alarm_name          = local.alarm_names.disk
  alarm_description   = "Root filesystem above ${var.disk_threshold_percent}% (Docker images, Whisper models, audio scratch)."
  namespace           = "CWAgent"
  metric_name         = "disk_used_percent"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.disk_threshold_percent
  comparison_operator = "GreaterThanThreshold"
  # No data means the agent is down, which is itself worth a look.
  treat_missing_data = "breaching"
  dimensions = {
    InstanceId = var.instance_id
    path       = "/"
  }
  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
}

resource "aws_cloudwatch_metric_alarm" "status_check" {
  alarm_name          = local.alarm_names.status_check
  alarm_description   = "EC2 system status check failed; EC2 recovers the instance onto healthy hardware."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed_System"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  dimensions = {
    InstanceId = var.instance_id
  }
  alarm_actions = [
    "arn:${data.aws_partition.current.partition}:automate:${local.region}:ec2:recover",
    aws_sns_topic.this.arn,
  ]
}

resource "aws_cloudwatch_log_metric_filter" "flow_run_failed" {
  name           = "${var.name}-flow-run-failed"
  log_group_name = aws_cloudwatch_log_group.this["app"].name
  pattern        = local.flow_run_failed_pattern

  metric_transformation {
    name      = "FlowRunsFailed"
    namespace = local.metrics_namespace
    value     = "1"
    unit      = "Count"
  }
}

resource "aws_cloudwatch_metric_alarm" "flow_run_failed" {
  alarm_name          = local.alarm_names.flow_run_failed
  alarm_description   = "A flow run ended Failed, Crashed (twice) or VideoFailed. Which one: aws logs tail /editorbot/${var.environment}/app --since 15m --filter-pattern '{ $.message = \"Finished in state Failed(*\" }' (docs/runbook.md section 6)."
  namespace           = local.metrics_namespace
  metric_name         = aws_cloudwatch_log_metric_filter.flow_run_failed.metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.failed_runs_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  # No failed run in a period publishes nothing: that is the good case.
  treat_missing_data = "notBreaching"
  alarm_actions      = [aws_sns_topic.this.arn]
}

resource "aws_budgets_budget" "this" {
  name         = local.budget_name
  budget_type  = "COST"
  limit_amount = format("%.2f", var.monthly_budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 80
    threshold_type            = "PERCENTAGE"
    notification_type         = "ACTUAL"
    subscriber_sns_topic_arns = [aws_sns_topic.this.arn]
  }

  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 100
    threshold_type            = "PERCENTAGE"
    notification_type         = "FORECASTED"
    subscriber_sns_topic_arns = [aws_sns_topic.this.arn]
  }

  depends_on = [aws_sns_topic_policy.this]
}
