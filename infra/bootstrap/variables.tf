variable "region" {
  description = "AWS region for the state bucket and lock table (use the same as envs/prod)."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "name" {
  description = "Name prefix; the bucket becomes <name>-tfstate-<account id>."
  type        = string
  default     = "editorbot"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name))
    error_message = "name must be 3-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}
