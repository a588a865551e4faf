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
