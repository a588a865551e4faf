output "repository_arn" {
  description = "ARN of the image repository (the VM may pull from it, CI may push to it)."
  value       = aws_ecr_repository.this.arn
}

output "repository_url" {
  description = "<registry>/<name>: what the VM pulls <url>@sha256:... from (GitHub variable ECR_REPOSITORY_URL)."
  value       = aws_ecr_repository.this.repository_url
}

output "repository_name" {
  description = "Name of the image repository."
  value       = aws_ecr_repository.this.name
}

output "roles" {
  description = "Image targets pushed as <role>-<commit sha> tags."
  value       = local.roles
}
