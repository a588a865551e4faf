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
  description = "Store as GitHub repository variable AWS_DEPLOY_ROLE_ARN (assumable from the protected environment only)."
  value       = module.iam.deploy_role_arn
}

output "image_push_role_arn" {
  description = "Store as GitHub repository variable AWS_IMAGE_PUSH_ROLE_ARN (CI on main pushes the images with it)."
  value       = module.iam.image_push_role_arn
}

output "image_repository_url" {
  description = "Store as GitHub repository variable ECR_REPOSITORY_URL; the VM pulls <url>@sha256:... from it."
  value       = module.registry.repository_url
}

output "container_role_arns" {
  description = "The IAM role of each container (server, runner, bot): its own secrets, and the bucket for runner and bot."
  value       = module.iam.container_role_arns
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

output "alarms" {
  description = "The alarms (cpu, disk, status_check, flow_run_failed): name, metric, threshold, actions."
  value       = module.observability.alarms
}

output "budget_notifications" {
  description = "The monthly budget's alerts: threshold percent, actual or forecasted, and their topics."
  value       = module.observability.budget_notifications
}
