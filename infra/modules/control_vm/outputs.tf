output "instance_id" {
  description = "ID of the control VM (target for SSM sessions)."
  value       = aws_instance.this.id
}

output "instance_arn" {
  description = "ARN of the control VM."
  value       = aws_instance.this.arn
}

output "ami_id" {
  description = "AMI the VM was launched from."
  value       = aws_instance.this.ami
}

output "private_ip" {
  description = "Private IPv4 of the control VM."
  value       = aws_instance.this.private_ip
}
