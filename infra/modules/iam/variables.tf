variable "name" {
  description = "Name prefix for resources, e.g. editorbot-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name; the instance reads SSM parameters under /editorbot/<environment>/."
  type        = string

  validation {
    condition     = contains(["prod", "staging", "dev"], var.environment)
    error_message = "environment must be one of prod, staging, dev."
  }
}

variable "bucket_arn" {
  description = "ARN of the content bucket."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:s3:::[a-z0-9.-]+$", var.bucket_arn))
    error_message = "bucket_arn must be an S3 bucket ARN."
  }
}

variable "bucket_prefixes" {
  description = "Key prefixes (with trailing slash) the runner and bot containers may list, read and write."
  type        = list(string)

  validation {
    condition     = length(var.bucket_prefixes) > 0 && alltrue([for p in var.bucket_prefixes : can(regex("^[a-z0-9][a-z0-9/_-]*/$", p))])
    error_message = "bucket_prefixes must be non-empty relative prefixes ending in '/' (never the whole bucket)."
  }
}

variable "bucket_kms_key_arn" {
  description = "ARN of the KMS key encrypting the content bucket."
  type        = string
}

variable "secrets_kms_key_arn" {
  description = "ARN of the KMS key encrypting the SSM SecureString parameters."
  type        = string
}

variable "log_group_arns" {
  description = "ARNs of the log groups the instance writes to (without :* suffix)."
  type        = list(string)
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub Actions OIDC provider (false if it already exists)."
  type        = bool
  default     = true
}

variable "github_oidc_provider_arn" {
  description = "ARN of an existing GitHub OIDC provider; used only when create_github_oidc_provider is false."
  type        = string
  default     = null
}

variable "github_repository" {
  description = "GitHub repository allowed to deploy, as <org>/<repo>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be <org>/<repo>."
  }
}

variable "github_deploy_branch" {
  description = "Branch whose CI runs may assume the image-push role."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.github_deploy_branch)) && !can(regex("\\*", var.github_deploy_branch))
    error_message = "github_deploy_branch must be one literal branch name (no wildcards)."
  }
}

variable "deploy_document_arn" {
  description = "ARN of the SSM deploy document the deploy role may run."
  type        = string
}

variable "instance_tag_key" {
  description = "Tag key identifying the control VM for the deploy role's condition."
  type        = string
  default     = "EditorBotRole"
}

variable "instance_tag_value" {
  description = "Tag value identifying the control VM for the deploy role's condition."
  type        = string
  default     = "control"
}

variable "github_deploy_environment" {
  description = "Protected GitHub environment whose jobs may assume the deploy role (deployment branches: main only)."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,255}$", var.github_deploy_environment))
    error_message = "github_deploy_environment must be one literal environment name (no wildcards)."
  }
}

variable "image_repository_arn" {
  description = "ARN of the ECR repository: the VM may pull from it, the image-push role may push to it."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9._/-]+$", var.image_repository_arn))
    error_message = "image_repository_arn must be an ECR repository ARN."
  }
}
