data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  # Account ID keeps the global bucket name unique without hard-coding it.
  bucket_name = coalesce(var.bucket_name, "${var.name}-content-${data.aws_caller_identity.current.account_id}")
  # A bucket's ARN follows from its name. The bucket policy is written with it rather than
  # the resource's `arn`, which would defer the document to apply and hide it from the plan.
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${local.bucket_name}"

  # Every prefix the application reads or writes, from the file the Python package ships
  # and its storage reads (editorbot/layout.json): the iam module grants exactly these, so
  # a prefix new in code is granted here by construction, never by a second copy.
  layout   = jsondecode(file("${path.module}/../../../editorbot/layout.json"))
  prefixes = { for area, entry in local.layout.prefixes : area => entry.prefix }
}

resource "aws_kms_key" "this" {
  description             = "${var.name} content bucket encryption"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-content"
  target_key_id = aws_kms_key.this.key_id
}

# Key administration stays with the account; use is granted by IAM policies
# (the instance role), which the root statement delegates to.
data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:Key policy root statement is the standard IAM delegation; the resource "*" means this key only.
  #checkov:skip=CKV_AWS_111:Key policy root statement is the standard IAM delegation; the resource "*" means this key only.
  #checkov:skip=CKV_AWS_356:In a key policy "*" means this key only.
  statement {
    sid       = "AccountAdministersKeyViaIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

#trivy:ignore:AVD-AWS-0089 access logging needs a second bucket; see the checkov CKV_AWS_18 skip.
resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Access logging needs a second bucket per environment; CloudTrail data events are the audit path if ever needed.
  #checkov:skip=CKV_AWS_144:Cross-region replication doubles cost; versioning + the app's idempotent writes cover accidental loss for this workload.
  #checkov:skip=CKV2_AWS_62:Nothing consumes bucket events; the flow run is the event.
  bucket        = local.bucket_name
  force_destroy = false
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    # Bucket keys cut KMS request charges by ~99% for many small objects.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days           = var.noncurrent_version_expiration_days
      newer_noncurrent_versions = var.noncurrent_versions_to_keep
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      local.bucket_arn,
      "${local.bucket_arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  # A bucket policy write fails while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
