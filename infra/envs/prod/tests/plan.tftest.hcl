# The whole prod composition against a mocked AWS provider: catches wiring and
# type errors across modules without credentials or network.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "000000000000" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_vpc" {
    defaults = { id = "vpc-0123456789abcdef0" }
  }
  mock_data "aws_subnets" {
    defaults = { ids = ["subnet-0123456789abcdef0"] }
  }
  mock_data "aws_ami" {
    defaults = { id = "ami-0123456789abcdef0" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::editorbot-prod-content-000000000000" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:000000000000:log-group:/editorbot/prod/app" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:000000000000:editorbot-prod-alerts" }
  }
  mock_resource "aws_ssm_document" {
    defaults = { arn = "arn:aws:ssm:eu-west-1:000000000000:document/editorbot-prod-deploy" }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::000000000000:role/editorbot-prod-role" }
  }
  mock_resource "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:eu-west-1:000000000000:repository/editorbot-prod"
      repository_url = "000000000000.dkr.ecr.eu-west-1.amazonaws.com/editorbot-prod"
    }
  }
}

variables {
  github_repository = "example-org/editorbot"
  alert_emails      = ["ops@example.com"]
}

run "compose_prod" {
  command = apply

  assert {
    condition     = output.ssm_parameter_names["runner/gemini_api_key"] == "/editorbot/prod/runner/gemini_api_key" && length(output.ssm_parameter_names) == 6
    error_message = "secrets must live under /editorbot/prod/<role>/"
  }

  assert {
    condition     = !contains(keys(output.ssm_parameter_names), "bot/gemini_api_key") && !contains(keys(output.ssm_parameter_names), "server/telegram_bot_token")
    error_message = "a role holds a secret it does not use"
  }

  assert {
    condition     = keys(output.container_role_arns) == tolist(["bot", "runner", "server"])
    error_message = "one IAM role per container (server, runner, bot)"
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
    condition     = alltrue([for alarm in output.alarms : contains(alarm.actions, output.alert_topic_arn)])
    error_message = "every alarm must notify the alert topic"
  }

  assert {
    condition = toset([for n in output.budget_notifications : "${n.threshold}/${n.type}"]) == toset(["80/ACTUAL", "100/FORECASTED"]) && alltrue([
      for n in output.budget_notifications : n.topics == toset([output.alert_topic_arn])
    ])
    error_message = "budget: 80% actual and 100% forecast, both to the alert topic"
  }
}
