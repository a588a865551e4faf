variable "region" {
  description = "AWS region for the environment."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "environment" {
  description = "Environment name used in resource names, tags and SSM paths."
  type        = string
  default     = "prod"

  validation {
    condition     = contains(["prod", "staging", "dev"], var.environment)
    error_message = "environment must be one of prod, staging, dev."
  }
}

variable "github_repository" {
  description = "GitHub repository (<org>/<repo>) that is cloned on the VM and may deploy from main."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be <org>/<repo>."
  }
}

variable "github_deploy_environment" {
  description = "Protected GitHub environment the deploy job runs in (deployment branches: main only); the deploy role trusts only it."
  type        = string
  default     = "production"
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (false if one already exists)."
  type        = bool
  default     = true
}

variable "github_oidc_provider_arn" {
  description = "Existing GitHub OIDC provider ARN when create_github_oidc_provider is false."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "VPC for the VM; null uses the account's default VPC."
  type        = string
  default     = null
}

variable "subnet_id" {
  description = "Public subnet for the VM; null picks a default subnet of the VPC."
  type        = string
  default     = null
}

variable "alert_emails" {
  description = "Email addresses that receive alarms and budget alerts."
  type        = list(string)
  default     = []
}

variable "monthly_budget_usd" {
  description = "Monthly AWS cost budget in USD."
  type        = number
  default     = 60
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention in days."
  type        = number
  default     = 30
}
