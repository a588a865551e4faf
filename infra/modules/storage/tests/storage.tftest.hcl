# Offline: dummy credentials, the account lookup overridden, plan only.
# (The TLS-only bucket policy is a data source that depends on the bucket, so
# Terraform defers it to apply; tests/infra checks it structurally instead.)
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "000000000000" }
}

override_resource {
  target          = aws_s3_bucket.this
  override_during = plan
  values = {
    id  = "editorbot-test-content-000000000000"
    arn = "arn:aws:s3:::editorbot-test-content-000000000000"
  }
}

variables {
  name = "editorbot-test"
}

run "bucket_is_private_versioned_encrypted_tls_only" {
  command = plan

  assert {
    condition     = aws_s3_bucket.this.bucket == "editorbot-test-content-000000000000"
    error_message = "bucket name should be <name>-content-<account id>"
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "public access block must set all four flags"
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "versioning must be enabled"
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "default encryption must be SSE-KMS"
  }

  assert {
    condition     = output.prefixes.preferences == "preferences/" && output.prefixes.results == "results/"
    error_message = "the layout read from editorbot/layout.json lacks preferences/ or results/"
  }
}
