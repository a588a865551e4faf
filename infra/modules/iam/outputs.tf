output "instance_role_arn" {
  description = "ARN of the control VM instance role."
  value       = aws_iam_role.instance.arn
}

output "instance_profile_name" {
  description = "Name of the instance profile to attach to the control VM."
  value       = aws_iam_instance_profile.this.name
}

output "deploy_role_arn" {
  description = "ARN of the GitHub Actions deploy role (store as repository variable AWS_DEPLOY_ROLE_ARN)."
  value       = aws_iam_role.deploy.arn
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider the deploy role trusts."
  value       = local.github_oidc_provider_arn
}
