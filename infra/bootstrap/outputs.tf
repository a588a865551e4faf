output "state_bucket_name" {
  description = "S3 bucket for remote state (backend.hcl: bucket)."
  value       = aws_s3_bucket.this.id
}

output "lock_table_name" {
  description = "DynamoDB table for state locking (backend.hcl: dynamodb_table)."
  value       = aws_dynamodb_table.this.name
}

output "kms_key_arn" {
  description = "KMS key encrypting state at rest (backend.hcl: kms_key_id, optional)."
  value       = aws_kms_key.this.arn
}

output "backend_hcl" {
  description = "Ready-to-save backend.hcl for envs/prod."
  value       = <<-EOT
    bucket         = "${aws_s3_bucket.this.id}"
    key            = "envs/prod/terraform.tfstate"
    region         = "${var.region}"
    dynamodb_table = "${aws_dynamodb_table.this.name}"
    encrypt        = true
    kms_key_id     = "${aws_kms_key.this.arn}"
  EOT
}
