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
  description = "Map of logical area to key prefix, the layout the application writes."
  value       = local.prefixes
}

output "prefix_audio_raw" {
  description = "Prefix for notes exactly as received."
  value       = local.prefixes.audio_raw
}

output "prefix_audio_cleaned" {
  description = "Prefix for normalized 16 kHz mono WAV."
  value       = local.prefixes.audio_cleaned
}

output "prefix_subtitles" {
  description = "Prefix for .srt and .vtt subtitles."
  value       = local.prefixes.subtitles
}

output "prefix_drafts" {
  description = "Prefix for script drafts awaiting approval."
  value       = local.prefixes.drafts
}

output "prefix_scripts" {
  description = "Prefix for approved, published scripts."
  value       = local.prefixes.scripts
}

output "prefix_video_short" {
  description = "Prefix for 9:16 renders (future stage)."
  value       = local.prefixes.video_short
}

output "prefix_video_long" {
  description = "Prefix for 16:9 renders (future stage)."
  value       = local.prefixes.video_long
}

output "prefix_results" {
  description = "Prefix for Prefect persisted task results."
  value       = local.prefixes.results
}
