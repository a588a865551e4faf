output "instance_id" {
  description = "ID of the GPU burst instance, or null when disabled."
  value       = one(aws_instance.this[*].id)
}
