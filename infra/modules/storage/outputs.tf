output "bucket_name" {
  description = "Name of the content bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the content bucket."
  value       = aws_s3_bucket.this.arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the bucket (the instance role needs Encrypt/Decrypt via S3)."
  value       = aws_kms_key.this.arn
}

output "prefixes" {
  description = "Map of area to key prefix: the layout the application reads and writes (editorbot/layout.json)."
  value       = local.prefixes
}
