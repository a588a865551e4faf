output "document_name" {
  description = "Name of the deploy document (pass to aws ssm send-command --document-name)."
  value       = aws_ssm_document.this.name
}

output "document_arn" {
  description = "ARN of the deploy document (the deploy role may run only this one)."
  value       = aws_ssm_document.this.arn
}
