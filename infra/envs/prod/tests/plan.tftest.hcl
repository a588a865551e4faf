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
}

variables {
  github_repository = "example-org/editorbot"
  alert_emails      = ["ops@example.com"]
}

run "compose_prod" {
  command = apply

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
