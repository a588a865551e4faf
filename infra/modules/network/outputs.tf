output "security_group_id" {
  description = "ID of the control VM security group (no inbound rules unless allowlisted)."
  value       = aws_security_group.this.id
}

output "security_group_arn" {
  description = "ARN of the control VM security group."
  value       = aws_security_group.this.arn
}
