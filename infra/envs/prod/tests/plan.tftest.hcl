# The whole prod composition, planned with the real AWS provider and no AWS call: dummy
# credentials, every lookup that would reach AWS overridden, and the ARNs AWS assigns at
# creation given at plan time. So the role policies (instance, deploy) and the KMS key
# policies are rendered at plan from what the modules really pass each other, and the
# provider checks each document and each policy it is given. The bucket and topic
# policies refer to resources of their own module, so Terraform reads them only at apply:
# their content is checked by the storage and observability module tests.
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
  target = data.aws_vpc.this
  values = { id = "vpc-0123456789abcdef0" }
}

override_data {
  target = data.aws_subnets.this
  values = { ids = ["subnet-0123456789abcdef0"] }
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
  target = module.iam.data.aws_caller_identity.current
  values = { account_id = "000000000000" }
}

override_data {
  target = module.observability.data.aws_caller_identity.current
  values = { account_id = "000000000000" }
}

override_data {
  target = module.control_vm.data.aws_ami.this
  values = { id = "ami-0123456789abcdef0" }
}

override_data {
  target = module.gpu_burst.data.aws_ami.this
  values = { id = "ami-0123456789abcdef0" }
}

override_resource {
  target          = module.storage.aws_s3_bucket.this
  override_during = plan
  values          = { arn = "arn:aws:s3:::editorbot-prod-content-000000000000", id = "editorbot-prod-content-000000000000", bucket = "editorbot-prod-content-000000000000" }
}

override_resource {
  target          = module.storage.aws_kms_key.this
  override_during = plan
  values          = { arn = "arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-000000000001" }
}

override_resource {
  target          = module.secrets.aws_kms_key.this
  override_during = plan
  values          = { arn = "arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-000000000002" }
}

override_resource {
  target          = module.observability.aws_kms_key.this[0]
  override_during = plan
  values          = { arn = "arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-000000000003" }
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
  target          = module.deploy_document.aws_ssm_document.this
  override_during = plan
  values          = { arn = "arn:aws:ssm:eu-west-1:000000000000:document/editorbot-prod-deploy" }
}

override_resource {
  target          = module.iam.aws_iam_openid_connect_provider.this[0]
  override_during = plan
  values          = { arn = "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com" }
}

variables {
  github_repository = "example-org/editorbot"
  alert_emails      = ["ops@example.com"]
}

run "compose_prod" {
  command = plan

  assert {
    condition     = output.ssm_parameter_names["gemini_api_key"] == "/editorbot/prod/gemini_api_key" && length(output.ssm_parameter_names) == 3
    error_message = "secrets must live under /editorbot/prod/"
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
}
