output "log_group_names" {
  description = "Map of log group purpose (app, system) to name."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "log_group_arns" {
  description = "ARNs of the log groups (without the :* suffix)."
  value       = [for g in aws_cloudwatch_log_group.this : g.arn]
}

output "alert_topic_arn" {
  description = "ARN of the SNS topic receiving alarms and budget alerts."
  value       = aws_sns_topic.this.arn
}

output "kms_key_arn" {
  description = "ARN of the observability KMS key, or null when enable_kms is false."
  value       = local.kms_key_arn
}

output "alarms" {
  description = "Map of alarm (cpu, disk, status_check, flow_run_failed) to its name, metric, dimensions, threshold and actions."
  value = {
    for key, alarm in {
      cpu             = aws_cloudwatch_metric_alarm.cpu
      disk            = aws_cloudwatch_metric_alarm.disk
      status_check    = aws_cloudwatch_metric_alarm.status_check
      flow_run_failed = aws_cloudwatch_metric_alarm.flow_run_failed
      } : key => {
      name       = alarm.alarm_name
      namespace  = alarm.namespace
      metric     = alarm.metric_name
      dimensions = alarm.dimensions
      threshold  = alarm.threshold
      actions    = alarm.alarm_actions
    }
  }
}

output "budget_notifications" {
  description = "The monthly budget's alerts: threshold percent, actual or forecasted, and the topics they go to."
  value = [
    for n in aws_budgets_budget.this.notification : {
      threshold = n.threshold
      type      = n.notification_type
      topics    = n.subscriber_sns_topic_arns
    }
  ]
}

output "flow_run_failed_pattern" {
  description = "CloudWatch Logs filter pattern counting failed or crashed flow runs in the app log group."
  value       = local.flow_run_failed_pattern
}
