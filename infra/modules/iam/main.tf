data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  instance_role_name = "${var.name}-control-vm"
  deploy_role_name   = "${var.name}-github-deploy"

  ssm_path_arn = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/editorbot/${var.environment}"

  # Object ARNs and ListBucket prefixes for exactly the prefixes the app uses.
  object_arns   = [for p in var.bucket_prefixes : "${var.bucket_arn}/${p}*"]
  list_prefixes = flatten([for p in var.bucket_prefixes : [p, "${p}*"]])

  log_stream_arns = [for arn in var.log_group_arns : "${arn}:log-stream:*"]

  github_oidc_host         = "token.actions.githubusercontent.com"
  github_oidc_provider_arn = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.this[0].arn : var.github_oidc_provider_arn
}

# ---------------------------------------------------------------------------
# Control VM instance role
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "instance_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "instance" {
  name               = local.instance_role_name
  description        = "EditorBot control VM: its bucket prefixes, its secrets, its log groups."
  assume_role_policy = data.aws_iam_policy_document.instance_trust.json
}

# The SSM agent (Session Manager shell, port forwarding, Run Command deploys).
resource "aws_iam_role_policy_attachment" "ssm_core" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

data "aws_iam_policy_document" "instance" {
  statement {
    sid       = "ListOnlyAppPrefixes"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = local.list_prefixes
    }
  }

  # No DeleteObject: runs overwrite with identical content or are refused,
  # and versioning + lifecycle take care of old versions.
  statement {
    sid       = "ReadWriteAppPrefixes"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
    resources = local.object_arns
  }

  statement {
    sid       = "UseBucketKeyThroughS3"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.bucket_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  # GetParametersByPath authorizes against the path itself
  # (parameter/editorbot/<env>), the others against each parameter below it.
  statement {
    sid = "ReadOwnSecrets"
    actions = [
      "ssm:GetParameter",
      "ssm:GetParameters",
      "ssm:GetParametersByPath",
    ]
    resources = [local.ssm_path_arn, "${local.ssm_path_arn}/*"]
  }

  statement {
    sid       = "DecryptSecretsThroughSsm"
    actions   = ["kms:Decrypt"]
    resources = [var.secrets_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid = "WriteOwnLogGroups"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
    ]
    resources = concat(var.log_group_arns, local.log_stream_arns)
  }

  # PutMetricData has no resource type; the namespace condition keeps the
  # agent to its own CWAgent metrics (disk alarm).
  statement {
    sid       = "PutAgentMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["CWAgent"]
    }
  }
}

resource "aws_iam_role_policy" "instance" {
  name   = "editorbot-app"
  role   = aws_iam_role.instance.id
  policy = data.aws_iam_policy_document.instance.json
}

resource "aws_iam_instance_profile" "this" {
  name = local.instance_role_name
  role = aws_iam_role.instance.name
}

# ---------------------------------------------------------------------------
# GitHub Actions deploy role (OIDC, no long-lived keys)
# ---------------------------------------------------------------------------

# One GitHub OIDC provider per account: set create_github_oidc_provider =
# false and pass github_oidc_provider_arn if another stack already owns it.
resource "aws_iam_openid_connect_provider" "this" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.github_oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  # AWS no longer checks these for GitHub (it trusts its own CA store), but
  # early 5.x providers require the argument.
  thumbprint_list = [
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
  ]
}

data "aws_iam_policy_document" "deploy_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Only workflow runs on main of this one repository; pull requests and
    # other branches cannot assume the role.
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = ["repo:${var.github_repository}:ref:refs/heads/${var.github_deploy_branch}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = local.deploy_role_name
  description          = "GitHub Actions deploy: run the EditorBot deploy document on the control VM, read its output."
  assume_role_policy   = data.aws_iam_policy_document.deploy_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "deploy" {
  # SendCommand is authorized against both the document and each target
  # instance; the instance side is limited to the tagged control VM.
  statement {
    sid       = "SendDeployDocument"
    actions   = ["ssm:SendCommand"]
    resources = [var.deploy_document_arn]
  }

  statement {
    sid       = "SendOnlyToTaggedControlVm"
    actions   = ["ssm:SendCommand"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "ssm:resourceTag/${var.instance_tag_key}"
      values   = [var.instance_tag_value]
    }
  }

  # These read-only calls have no resource-level permissions in IAM.
  statement {
    sid = "ReadCommandOutput"
    actions = [
      "ssm:GetCommandInvocation",
      "ssm:ListCommandInvocations",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "editorbot-deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}
