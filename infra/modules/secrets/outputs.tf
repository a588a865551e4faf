output "path_prefix" {
  description = "SSM path holding this environment's secrets, without trailing slash (e.g. /editorbot/prod)."
  value       = local.path_prefix
}

output "parameter_names" {
  description = "Map of <role>/<secret> to full SSM parameter name."
  value       = { for k, p in aws_ssm_parameter.this : k => p.name }
}

output "parameter_arns" {
  description = "ARNs of the SSM parameters."
  value       = [for p in aws_ssm_parameter.this : p.arn]
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the SecureString parameters."
  value       = aws_kms_key.this.arn
}
