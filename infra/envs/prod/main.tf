locals {
  name = "editorbot-${var.environment}"

  instance_tag_key   = "EditorBotRole"
  instance_tag_value = "control"
}

# One VM does not justify a NAT gateway: it lives in a public subnet of the
# default VPC (or the given one) with a public IP and no inbound rules.
data "aws_vpc" "this" {
  default = var.vpc_id == null
  id      = var.vpc_id
}

data "aws_subnets" "this" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.this.id]
  }

  filter {
    name   = "default-for-az"
    values = var.vpc_id == null ? ["true"] : ["true", "false"]
  }
}

module "network" {
  source = "../../modules/network"

  name   = local.name
  vpc_id = data.aws_vpc.this.id
}

module "storage" {
  source = "../../modules/storage"

  name = local.name
}

module "secrets" {
  source = "../../modules/secrets"

  name        = local.name
  environment = var.environment
}

module "observability" {
  source = "../../modules/observability"

  name               = local.name
  environment        = var.environment
  instance_id        = module.control_vm.instance_id
  alert_emails       = var.alert_emails
  monthly_budget_usd = var.monthly_budget_usd
  log_retention_days = var.log_retention_days
}

module "registry" {
  source = "../../modules/registry"

  name = local.name
}

module "deploy_document" {
  source = "../../modules/deploy_document"

  name                 = local.name
  image_repository_url = module.registry.repository_url
}

module "iam" {
  source = "../../modules/iam"

  name        = local.name
  environment = var.environment

  bucket_arn          = module.storage.bucket_arn
  bucket_prefixes     = values(module.storage.prefixes)
  bucket_kms_key_arn  = module.storage.kms_key_arn
  secrets_kms_key_arn = module.secrets.kms_key_arn
  log_group_arns      = module.observability.log_group_arns

  create_github_oidc_provider = var.create_github_oidc_provider
  github_oidc_provider_arn    = var.github_oidc_provider_arn
  github_repository           = var.github_repository
  github_deploy_environment   = var.github_deploy_environment
  deploy_document_arn         = module.deploy_document.document_arn
  image_repository_arn        = module.registry.repository_arn
  instance_tag_key            = local.instance_tag_key
  instance_tag_value          = local.instance_tag_value
}

module "control_vm" {
  source = "../../modules/control_vm"

  name        = local.name
  environment = var.environment

  subnet_id             = coalesce(var.subnet_id, sort(data.aws_subnets.this.ids)[0])
  security_group_id     = module.network.security_group_id
  instance_profile_name = module.iam.instance_profile_name
  container_role_arns   = module.iam.container_role_arns
  image_repository_url  = module.registry.repository_url

  repository_url        = "https://github.com/${var.github_repository}.git"
  bucket_name           = module.storage.bucket_name
  ssm_path_prefix       = module.secrets.path_prefix
  app_log_group_name    = module.observability.log_group_names["app"]
  system_log_group_name = module.observability.log_group_names["system"]

  instance_tag_key   = local.instance_tag_key
  instance_tag_value = local.instance_tag_value
}

module "gpu_burst" {
  source = "../../modules/gpu_burst"

  enabled           = false
  name              = local.name
  subnet_id         = coalesce(var.subnet_id, sort(data.aws_subnets.this.ids)[0])
  security_group_id = module.network.security_group_id
}
