output "instance_id" {
  description = "Control VM ID (aws ssm start-session --target <this>)."
  value       = module.control_vm.instance_id
}

output "bucket_name" {
  description = "Content bucket name."
  value       = module.storage.bucket_name
}

output "bucket_prefixes" {
  description = "Prefix layout of the content bucket."
  value       = module.storage.prefixes
}

output "ssm_parameter_names" {
  description = "SSM parameters whose real values are put by hand (runbook)."
  value       = module.secrets.parameter_names
}

output "deploy_role_arn" {
  description = "Store as GitHub repository variable AWS_DEPLOY_ROLE_ARN."
  value       = module.iam.deploy_role_arn
}

output "deploy_document_name" {
  description = "Store as GitHub repository variable DEPLOY_DOCUMENT_NAME."
  value       = module.deploy_document.document_name
}

output "instance_tag" {
  description = "Tag that identifies the control VM for deploys (DEPLOY_TARGET_TAG_KEY / _VALUE)."
  value       = { key = local.instance_tag_key, value = local.instance_tag_value }
}

output "log_group_names" {
  description = "CloudWatch log groups (app, system)."
  value       = module.observability.log_group_names
}

output "alert_topic_arn" {
  description = "SNS topic for alarms and budget alerts."
  value       = module.observability.alert_topic_arn
}
