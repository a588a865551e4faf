output "instance_role_arn" {
  description = "ARN of the control VM instance role."
  value       = aws_iam_role.instance.arn
}

output "instance_profile_name" {
  description = "Name of the instance profile to attach to the control VM."
  value       = aws_iam_instance_profile.this.name
}

output "deploy_role_arn" {
  description = "ARN of the GitHub Actions deploy role, for jobs in the protected environment (variable AWS_DEPLOY_ROLE_ARN)."
  value       = aws_iam_role.deploy.arn
}

output "image_push_role_arn" {
  description = "ARN of the GitHub Actions image-push role, for CI on main (variable AWS_IMAGE_PUSH_ROLE_ARN)."
  value       = aws_iam_role.image_push.arn
}

output "container_role_arns" {
  description = "Map of container role (server, runner, bot) to the IAM role the host mints its credentials from."
  value       = { for role, r in aws_iam_role.container : role => r.arn }
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider the deploy role trusts."
  value       = local.github_oidc_provider_arn
}

output "policies" {
  description = "The inline policies (JSON) as planned: the host's, and each container role's list (its secrets; the content bucket for runner and bot)."
  value = {
    host = aws_iam_role_policy.instance.policy
    containers = {
      for role in local.container_roles : role => concat(
        [aws_iam_role_policy.container_secrets[role].policy],
        [for key, p in aws_iam_role_policy.container_content : p.policy if key == role],
      )
    }
  }
}
