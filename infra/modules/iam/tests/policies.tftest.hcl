# Renders the real policy documents with the real provider (no AWS calls: dummy
# credentials, every lookup that would reach AWS is overridden) and checks them.
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
  target          = aws_iam_openid_connect_provider.this
  override_during = plan
  values          = { arn = "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com" }
}

variables {
  name                 = "editorbot-test"
  environment          = "prod"
  bucket_arn           = "arn:aws:s3:::editorbot-test-content"
  bucket_prefixes      = ["audio/raw/", "drafts/"]
  bucket_kms_key_arn   = "arn:aws:kms:eu-west-1:000000000000:key/bucket"
  secrets_kms_key_arn  = "arn:aws:kms:eu-west-1:000000000000:key/secrets"
  log_group_arns       = ["arn:aws:logs:eu-west-1:000000000000:log-group:/editorbot/prod/app"]
  github_repository    = "example-org/editorbot"
  deploy_document_arn  = "arn:aws:ssm:eu-west-1:000000000000:document/editorbot-test-deploy"
  image_repository_arn = "arn:aws:ecr:eu-west-1:000000000000:repository/editorbot-test"
}

run "instance_policy" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for doc in concat(
        [data.aws_iam_policy_document.instance.json, data.aws_iam_policy_document.content.json],
        [for d in data.aws_iam_policy_document.container_secrets : d.json],
      ) :
      [for s in jsondecode(doc).Statement : !(contains(flatten([s.Action]), "*") && contains(flatten([s.Resource]), "*"))]
    ]))
    error_message = "a policy grants * on *"
  }

  assert {
    condition = length([
      for s in jsondecode(data.aws_iam_policy_document.instance.json).Statement : s
      if length([for a in flatten([s.Action]) : a if startswith(a, "ssm:GetParameter")]) > 0
    ]) == 0
    error_message = "the host must read no parameter: each container reads its own"
  }

  assert {
    condition = [
      for s in jsondecode(data.aws_iam_policy_document.instance.json).Statement : s.Resource if s.Sid == "PullOwnImages"
    ][0] == "arn:aws:ecr:eu-west-1:000000000000:repository/editorbot-test"
    error_message = "image pulls not limited to the one repository"
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(data.aws_iam_policy_document.instance.json).Statement : [for a in flatten([s.Action]) : a if startswith(a, "ecr:")]
    ])) == toset(["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])
    error_message = "the host may pull images and nothing else from the registry"
  }

  # The whole of what the host may do, instead of AmazonSSMManagedInstanceCore: a new
  # action on the host is a decision, made here as well.
  assert {
    condition = toset(flatten([
      for s in jsondecode(data.aws_iam_policy_document.instance.json).Statement : flatten([s.Action])
      ])) == toset([
      "ssm:UpdateInstanceInformation", "ssm:ListInstanceAssociations",
      "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
      "ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply",
      "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
      "sts:AssumeRole",
      "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams",
      "cloudwatch:PutMetricData",
    ])
    error_message = "the host's actions are not exactly the SSM agent's, image pulls, container credentials, its logs and agent metrics"
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(data.aws_iam_policy_document.instance.json).Statement : flatten([s.Resource]) if contains(flatten([s.Action]), "sts:AssumeRole")
      ])) == toset([
      "arn:aws:iam::000000000000:role/editorbot-test-server",
      "arn:aws:iam::000000000000:role/editorbot-test-runner",
      "arn:aws:iam::000000000000:role/editorbot-test-bot",
    ])
    error_message = "the host may assume exactly the three container roles"
  }

  assert {
    condition     = toset([for role in aws_iam_role.container : "${role.path}${role.name}"]) == toset(["/editorbot-test-server", "/editorbot-test-runner", "/editorbot-test-bot"])
    error_message = "one role per container, named (no path) as the host's policy names them"
  }

  assert {
    condition = alltrue([
      for role in ["server", "runner", "bot"] : toset(flatten([
        for s in jsondecode(data.aws_iam_policy_document.container_secrets[role].json).Statement : flatten([s.Resource]) if s.Sid == "ReadOwnSecrets"
        ])) == toset([
        "arn:aws:ssm:eu-west-1:000000000000:parameter/editorbot/prod/${role}",
        "arn:aws:ssm:eu-west-1:000000000000:parameter/editorbot/prod/${role}/*",
      ])
    ])
    error_message = "a container role reads parameters outside /editorbot/prod/<its role>/"
  }

  assert {
    condition = alltrue([
      for role in ["server", "runner", "bot"] : flatten([
        for s in jsondecode(data.aws_iam_policy_document.container_secrets[role].json).Statement : s.Condition.ArnLike["kms:EncryptionContext:PARAMETER_ARN"] if s.Sid == "DecryptOwnSecretsThroughSsm"
      ]) == ["arn:aws:ssm:eu-west-1:000000000000:parameter/editorbot/prod/${role}/*"]
    ])
    error_message = "a container role decrypts parameters outside its own path"
  }

  assert {
    condition     = toset(keys(aws_iam_role_policy.container_content)) == toset(["runner", "bot"])
    error_message = "the content bucket is for the runner and the bot only (the server has no bucket access)"
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.content.json).Statement : s.Condition.StringLike["s3:prefix"] if s.Sid == "ListOnlyAppPrefixes"][0] == ["audio/raw/", "audio/raw/*", "drafts/", "drafts/*"]
    error_message = "ListBucket not limited to the app prefixes"
  }

  assert {
    condition     = toset(flatten([for s in jsondecode(data.aws_iam_policy_document.content.json).Statement : flatten([s.Resource]) if contains(flatten([s.Action]), "s3:GetObject")])) == toset(["arn:aws:s3:::editorbot-test-content/audio/raw/*", "arn:aws:s3:::editorbot-test-content/drafts/*"])
    error_message = "objects readable or writable outside the app prefixes"
  }
}

run "github_trust" {
  command = plan

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.deploy_trust.json).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:example-org/editorbot:environment:production"
    error_message = "deploy role trust is not pinned to the protected environment of the repository"
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.image_push_trust.json).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:example-org/editorbot:ref:refs/heads/main"
    error_message = "image-push role trust is not pinned to main of the repository"
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.deploy_trust.json).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    error_message = "deploy role trust does not check the audience"
  }
}
