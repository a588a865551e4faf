variable "name" {
  description = "Name prefix for resources, e.g. editorbot-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "bucket_name" {
  description = "Override for the bucket name; null builds <name>-content-<account id>."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lowercase characters)."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which a noncurrent (overwritten or deleted) object version is removed."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && var.noncurrent_version_expiration_days <= 3650
    error_message = "noncurrent_version_expiration_days must be between 1 and 3650."
  }
}

variable "noncurrent_versions_to_keep" {
  description = "Newest noncurrent versions kept regardless of age (1-100)."
  type        = number
  default     = 3

  validation {
    condition     = var.noncurrent_versions_to_keep >= 1 && var.noncurrent_versions_to_keep <= 100
    error_message = "noncurrent_versions_to_keep must be between 1 and 100."
  }
}
