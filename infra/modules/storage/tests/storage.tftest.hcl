# Offline: dummy credentials, the account lookup overridden, plan only. The policies
# are rendered by the real provider at plan time.
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

  # Every request, to the bucket and to each object, by anyone, is refused without TLS.
  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement :
      s.Effect == "Deny" && s.Action == "s3:*" && s.Principal == "*"
      && toset(flatten([s.Resource])) == toset(["arn:aws:s3:::editorbot-test-content-000000000000", "arn:aws:s3:::editorbot-test-content-000000000000/*"])
      && s.Condition == { Bool = { "aws:SecureTransport" = "false" } }
    ])
    error_message = "the bucket policy must deny every request over plain HTTP, to the bucket and its objects"
  }

  assert {
    condition     = try(output.prefixes.preferences, null) == "preferences/" && try(output.prefixes.results, null) == "results/"
    error_message = "the layout read from editorbot/layout.json lacks preferences/ or results/"
  }
}
