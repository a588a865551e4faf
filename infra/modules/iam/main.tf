data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  instance_role_name   = "${var.name}-control-vm"
  image_push_role_name = "${var.name}-github-image-push"
  deploy_role_name     = "${var.name}-github-deploy"

  # One IAM role per container (the image targets); the host mints their credentials.
  container_roles = toset(["server", "runner", "bot"])
  # The containers that read and write the content bucket: the runner (every artifact of a
  # run) and the bot (each creator's preferences). The server never touches it.
  content_roles = toset(["runner", "bot"])
  # A role's ARN follows from its name (no path), so the host's policy names the three
  # without referring to the role resources: Terraform defers a data source that refers
  # to a resource being created, and the plan would show "(known after apply)" instead of
  # the host's whole policy.
  container_role_names = { for role in local.container_roles : role => "${var.name}-${role}" }
  container_role_arns  = [for role, name in local.container_role_names : "arn:${local.partition}:iam::${local.account_id}:role/${name}"]

  # The SSM agent's calls are allowed only with credentials an EC2 instance of this
  # account and region got from its instance profile (they alone carry
  # ec2:SourceInstanceARN).
  own_instances_arn = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*"

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
  description        = "EditorBot control VM host: SSM agent, image pulls, its log groups, container credentials."
  assume_role_policy = data.aws_iam_policy_document.instance_trust.json
}

# ---------------------------------------------------------------------------
# The content bucket, for the containers that use it (content_roles)
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "content" {
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
}

# ---------------------------------------------------------------------------
# The host: SSM agent, image pulls, logs, and minting each container's credentials.
# It reads no secret and no bucket object itself, and no container reaches it
# (metadata hop limit 1, modules/control_vm).
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "instance" {
  # Instead of AmazonSSMManagedInstanceCore, which also grants ssm:GetParameter(s) on
  # every parameter of the account: only what the agent calls for Session Manager (shell,
  # port forwarding) and Run Command (the deploy document), per AWS's list of agent API
  # calls. Left out on purpose: GetParameter(s) (each container reads its own secrets
  # with its own role), PutInventory/PutComplianceItems (no Inventory), Patch Manager,
  # Distributor and association documents (no State Manager association runs here; a
  # Run Command message carries its document). These calls have no resource type to
  # scope by, so the condition keeps them to instance-profile credentials of this
  # account's instances in this region.
  statement {
    sid = "SsmAgentRegistersItsInstance"
    actions = [
      "ssm:UpdateInstanceInformation",
      "ssm:ListInstanceAssociations",
    ]
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "ec2:SourceInstanceARN"
      values   = [local.own_instances_arn]
    }
  }

  statement {
    sid = "SessionManagerChannels"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "ec2:SourceInstanceARN"
      values   = [local.own_instances_arn]
    }
  }

  statement {
    sid = "RunCommandMessages"
    actions = [
      "ec2messages:AcknowledgeMessage",
      "ec2messages:DeleteMessage",
      "ec2messages:FailMessage",
      "ec2messages:GetEndpoint",
      "ec2messages:GetMessages",
      "ec2messages:SendReply",
    ]
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "ec2:SourceInstanceARN"
      values   = [local.own_instances_arn]
    }
  }

  # Pull only, from the one repository CI pushes to; the login token has no resource.
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PullOwnImages"
    actions = [
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [var.image_repository_arn]
  }

  # editorbot-credentials.timer: each container's short-lived credentials.
  statement {
    sid       = "MintContainerCredentials"
    actions   = ["sts:AssumeRole"]
    resources = local.container_role_arns
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
# Container roles: server, runner, bot, each with its own secrets only
# ---------------------------------------------------------------------------

# Only the host, with the instance role, can assume them (compose.vm.yaml hands each
# container its own role's credentials).
data "aws_iam_policy_document" "container_trust" {
  statement {
    sid     = "OnlyTheHostMintsCredentials"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.instance.arn]
    }
  }
}

resource "aws_iam_role" "container" {
  for_each = local.container_roles

  name                 = local.container_role_names[each.key]
  description          = "EditorBot ${each.key} container: its own secrets under /editorbot/${var.environment}/${each.key}/${contains(local.content_roles, each.key) ? ", the content bucket" : ""}."
  assume_role_policy   = data.aws_iam_policy_document.container_trust.json
  max_session_duration = 3600
}

# GetParametersByPath authorizes against the path itself
# (parameter/editorbot/<env>/<role>), the others against each parameter below it.
# The decrypt is limited the same way through SSM's encryption context, which names
# the parameter being read.
data "aws_iam_policy_document" "container_secrets" {
  for_each = local.container_roles

  statement {
    sid = "ReadOwnSecrets"
    actions = [
      "ssm:GetParameter",
      "ssm:GetParameters",
      "ssm:GetParametersByPath",
    ]
    resources = ["${local.ssm_path_arn}/${each.key}", "${local.ssm_path_arn}/${each.key}/*"]
  }

  statement {
    sid       = "DecryptOwnSecretsThroughSsm"
    actions   = ["kms:Decrypt"]
    resources = [var.secrets_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:PARAMETER_ARN"
      values   = ["${local.ssm_path_arn}/${each.key}/*"]
    }
  }
}

resource "aws_iam_role_policy" "container_secrets" {
  for_each = local.container_roles

  name   = "editorbot-${each.key}-secrets"
  role   = aws_iam_role.container[each.key].id
  policy = data.aws_iam_policy_document.container_secrets[each.key].json
}

resource "aws_iam_role_policy" "container_content" {
  for_each = local.content_roles

  name   = "editorbot-content"
  role   = aws_iam_role.container[each.key].id
  policy = data.aws_iam_policy_document.content.json
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

# Both GitHub roles check the audience; the subject says which runs may assume each.
data "aws_iam_policy_document" "image_push_trust" {
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

    # CI's image job on main, after every test job passed; pull requests and other
    # branches cannot push an image.
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = ["repo:${var.github_repository}:ref:refs/heads/${var.github_deploy_branch}"]
    }
  }
}

resource "aws_iam_role" "image_push" {
  name                 = local.image_push_role_name
  description          = "GitHub Actions CI on main: push the scanned EditorBot images to their one ECR repository."
  assume_role_policy   = data.aws_iam_policy_document.image_push_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "image_push" {
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  # DescribeImages: a rerun of CI finds its commit's tags already pushed (they are
  # immutable) and leaves them as they are.
  statement {
    sid = "PushToOwnRepository"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [var.image_repository_arn]
  }
}

resource "aws_iam_role_policy" "image_push" {
  name   = "editorbot-image-push"
  role   = aws_iam_role.image_push.id
  policy = data.aws_iam_policy_document.image_push.json
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

    # Only a job in the protected GitHub environment (deployment branches: main only,
    # and its reviewers if you set any) can assume the role; a job outside it, a pull
    # request or another branch gets another subject and is refused.
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = ["repo:${var.github_repository}:environment:${var.github_deploy_environment}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = local.deploy_role_name
  description          = "GitHub Actions deploy: look up a commit's image digests, run the EditorBot deploy document on the control VM, read its output."
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

  # The digests a commit's immutable tags name: what the VM is told to pull.
  statement {
    sid       = "ResolveImageDigests"
    actions   = ["ecr:DescribeImages"]
    resources = [var.image_repository_arn]
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "editorbot-deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}
