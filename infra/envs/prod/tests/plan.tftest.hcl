# The whole prod composition, planned by the real AWS provider with dummy credentials:
# every policy document is rendered by the provider as `terraform plan` renders it. Only
# what would ask AWS is overridden: the account, the default VPC and subnet, the AMI, and
# the identifiers AWS assigns when it creates a resource (ARNs, the registry URL).
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
  target = module.iam.data.aws_caller_identity.current
  values = { account_id = "000000000000" }
}

override_data {
  target = module.storage.data.aws_caller_identity.current
  values = { account_id = "000000000000" }
}

override_data {
  target = module.secrets.data.aws_caller_identity.current
  values = { account_id = "000000000000" }
}

override_data {
  target = module.observability.data.aws_caller_identity.current
  values = { account_id = "000000000000" }
}

override_data {
  target = data.aws_vpc.this
  values = { id = "vpc-0123456789abcdef0" }
}

override_data {
  target = data.aws_subnets.this
  values = { ids = ["subnet-0123456789abcdef0"] }
}

override_data {
  target = module.control_vm.data.aws_ami.this
  values = { id = "ami-0123456789abcdef0" }
}

override_resource {
  target          = module.control_vm.aws_instance.this
  override_during = plan
  values          = { id = "i-0123456789abcdef0" }
}

override_resource {
  target          = module.storage.aws_s3_bucket.this
  override_during = plan
  values = {
    id  = "editorbot-prod-content-000000000000"
    arn = "arn:aws:s3:::editorbot-prod-content-000000000000"
  }
}

override_resource {
  target          = module.storage.aws_kms_key.this
  override_during = plan
  values          = { arn = "arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-00000000c0de" }
}

override_resource {
  target          = module.secrets.aws_kms_key.this
  override_during = plan
  values          = { arn = "arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-0000000005ec" }
}

override_resource {
  target          = module.observability.aws_cloudwatch_log_group.this["app"]
  override_during = plan
  values          = { arn = "arn:aws:logs:eu-west-1:000000000000:log-group:/editorbot/prod/app" }
}

override_resource {
  target          = module.observability.aws_cloudwatch_log_group.this["system"]
  override_during = plan
  values          = { arn = "arn:aws:logs:eu-west-1:000000000000:log-group:/editorbot/prod/system" }
}

override_resource {
  target          = module.observability.aws_sns_topic.this
  override_during = plan
  values          = { arn = "arn:aws:sns:eu-west-1:000000000000:editorbot-prod-alerts" }
}

override_resource {
  target          = module.registry.aws_ecr_repository.this
  override_during = plan
  values = {
    arn            = "arn:aws:ecr:eu-west-1:000000000000:repository/editorbot-prod"
    repository_url = "000000000000.dkr.ecr.eu-west-1.amazonaws.com/editorbot-prod"
  }
}

override_resource {
  target          = module.iam.aws_iam_role.container["server"]
  override_during = plan
  values          = { arn = "arn:aws:iam::000000000000:role/editorbot-prod-server" }
}

override_resource {
  target          = module.iam.aws_iam_role.container["runner"]
  override_during = plan
  values          = { arn = "arn:aws:iam::000000000000:role/editorbot-prod-runner" }
}

override_resource {
  target          = module.iam.aws_iam_role.container["bot"]
  override_during = plan
  values          = { arn = "arn:aws:iam::000000000000:role/editorbot-prod-bot" }
}

variables {
  github_repository = "example-org/editorbot"
  alert_emails      = ["ops@example.com"]
}

run "compose_prod" {
  command = plan

  assert {
    condition     = output.ssm_parameter_names["runner/gemini_api_key"] == "/editorbot/prod/runner/gemini_api_key" && length(output.ssm_parameter_names) == 6
    error_message = "secrets must live under /editorbot/prod/<role>/"
  }

  assert {
    condition     = !contains(keys(output.ssm_parameter_names), "bot/gemini_api_key") && !contains(keys(output.ssm_parameter_names), "server/telegram_bot_token")
    error_message = "a role holds a secret it does not use"
  }

  assert {
    condition     = toset(keys(output.container_role_arns)) == toset(["bot", "runner", "server"])
    error_message = "one IAM role per container (server, runner, bot)"
  }

  # The policies as planned (module.iam's `policies`), wired from the other modules.
  assert {
    condition = alltrue(flatten([
      for doc in concat([module.iam.policies.host], flatten(values(module.iam.policies.containers))) : [
        for s in jsondecode(doc).Statement : !(contains(flatten([s.Action]), "*") && contains(flatten([s.Resource]), "*"))
      ]
    ]))
    error_message = "a policy grants * on *"
  }

  assert {
    condition = length([
      for s in jsondecode(module.iam.policies.host).Statement : s
      if length([for a in flatten([s.Action]) : a if startswith(a, "ssm:GetParameter") || a == "ssm:*" || a == "*"]) > 0
    ]) == 0
    error_message = "the host reads parameters (AmazonSSMManagedInstanceCore's GetParameter): only each container reads its own"
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(module.iam.policies.host).Statement : flatten([s.Resource]) if contains(flatten([s.Action]), "ecr:BatchGetImage")
      ])) == toset(["arn:aws:ecr:eu-west-1:000000000000:repository/editorbot-prod"]) && toset(flatten([
      for s in jsondecode(module.iam.policies.host).Statement : [for a in flatten([s.Action]) : a if startswith(a, "ecr:")]
    ])) == toset(["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])
    error_message = "the host must pull, and only pull, from the registry module's repository"
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(module.iam.policies.host).Statement : flatten([s.Resource]) if contains(flatten([s.Action]), "sts:AssumeRole")
    ])) == toset(values(output.container_role_arns))
    error_message = "the host may assume exactly the three container roles"
  }

  assert {
    condition = alltrue([
      for role, docs in module.iam.policies.containers : toset(flatten([
        for doc in docs : [for s in jsondecode(doc).Statement : flatten([s.Resource]) if contains(flatten([s.Action]), "ssm:GetParameter")]
        ])) == toset([
        "arn:aws:ssm:eu-west-1:000000000000:parameter/editorbot/prod/${role}",
        "arn:aws:ssm:eu-west-1:000000000000:parameter/editorbot/prod/${role}/*",
      ])
    ])
    error_message = "a container role reads parameters outside /editorbot/prod/<its role>/"
  }

  # Each secret of the secrets module is readable by its own role's policy and no other's.
  assert {
    condition = alltrue(flatten([
      for key, name in output.ssm_parameter_names : [
        for role, docs in module.iam.policies.containers : anytrue(flatten([
          for doc in docs : [
            for s in jsondecode(doc).Statement : [
              for r in flatten([s.Resource]) : endswith(r, "/*") && startswith("arn:aws:ssm:eu-west-1:000000000000:parameter${name}", trimsuffix(r, "*"))
            ] if contains(flatten([s.Action]), "ssm:GetParameter")
          ]
        ])) == (split("/", key)[0] == role)
      ]
    ]))
    error_message = "a secret is not readable by its own role, or readable by another"
  }

  assert {
    condition     = toset([for role, docs in module.iam.policies.containers : role if strcontains(join("", docs), "s3:")]) == toset(["runner", "bot"])
    error_message = "the content bucket is for the runner and the bot only"
  }

  # editorbot/layout.json -> storage module -> the runner's and the bot's grants.
  assert {
    condition = alltrue([
      for role in ["runner", "bot"] : toset(flatten([
        for doc in module.iam.policies.containers[role] : [for s in jsondecode(doc).Statement : flatten([s.Resource]) if contains(flatten([s.Action]), "s3:PutObject")]
        ])) == toset([
        for area in jsondecode(file("../../../editorbot/layout.json")).prefixes : "arn:aws:s3:::editorbot-prod-content-000000000000/${area.prefix}*"
      ])
    ])
    error_message = "the runner and the bot must read and write exactly the prefixes of editorbot/layout.json in the content bucket"
  }

  assert {
    condition     = output.image_repository_url == "000000000000.dkr.ecr.eu-west-1.amazonaws.com/editorbot-prod"
    error_message = "the VM and CI must use the registry module's repository"
  }

  assert {
    condition     = output.instance_tag.key == "EditorBotRole" && output.instance_tag.value == "control"
    error_message = "the deploy workflow's default tag changed"
  }

  assert {
    condition     = output.deploy_document_name == "editorbot-prod-deploy"
    error_message = "the deploy workflow's default document name changed"
  }

  assert {
    condition     = output.log_group_names["app"] == "/editorbot/prod/app"
    error_message = "log group names changed (runbook and user data use them)"
  }

  assert {
    condition     = output.bucket_prefixes.drafts == "drafts/"
    error_message = "prefix layout changed"
  }

  assert {
    condition     = toset(keys(output.alarms)) == toset(["cpu", "disk", "status_check", "flow_run_failed"])
    error_message = "the alarms are CPU, disk, status check and failed flow runs"
  }

  assert {
    condition     = output.alarms.cpu.metric == "CPUUtilization" && output.alarms.cpu.threshold == 85
    error_message = "CPU alarm: CPUUtilization above 85%"
  }

  assert {
    condition     = output.alarms.disk.namespace == "CWAgent" && output.alarms.disk.metric == "disk_used_percent" && output.alarms.disk.threshold == 80
    error_message = "disk alarm: the CloudWatch agent's disk_used_percent above 80%"
  }

  assert {
    condition     = output.alarms.status_check.metric == "StatusCheckFailed_System" && contains(output.alarms.status_check.actions, "arn:aws:automate:eu-west-1:ec2:recover")
    error_message = "status check alarm must recover the instance"
  }

  assert {
    condition     = output.alarms.flow_run_failed.namespace == "EditorBot/prod" && output.alarms.flow_run_failed.metric == "FlowRunsFailed" && output.alarms.flow_run_failed.threshold == 1
    error_message = "a single failed flow run must raise the flow-run alarm"
  }

  assert {
    condition = alltrue([
      for key in ["cpu", "disk", "status_check"] : output.alarms[key].dimensions.InstanceId == "i-0123456789abcdef0"
    ]) && output.alarms.disk.dimensions.path == "/"
    error_message = "the CPU, disk and status check alarms must watch the control VM (its root filesystem for disk)"
  }

  assert {
    condition     = alltrue([for alarm in output.alarms : try(contains(alarm.actions, output.alert_topic_arn), false)])
    error_message = "every alarm must notify the alert topic"
  }

  assert {
    condition = toset([for n in output.budget_notifications : "${n.threshold}/${n.type}"]) == toset(["80/ACTUAL", "100/FORECASTED"]) && alltrue([
      for n in output.budget_notifications : n.topics == toset([output.alert_topic_arn])
    ])
    error_message = "budget: 80% actual and 100% forecast, both to the alert topic"
  }
}
