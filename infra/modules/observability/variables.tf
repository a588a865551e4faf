variable "name" {
  description = "Name prefix for resources, e.g. editorbot-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name; log groups live under /editorbot/<environment>/."
  type        = string

  validation {
    condition     = contains(["prod", "staging", "dev"], var.environment)
    error_message = "environment must be one of prod, staging, dev."
  }
}

variable "instance_id" {
  description = "ID of the control VM the alarms watch."
  type        = string
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention in days (must be a value CloudWatch accepts)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the retention periods CloudWatch Logs supports (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "enable_kms" {
  description = "Encrypt log groups and the alert topic with a module-owned KMS key (about 1 USD/month) instead of AWS-managed keys."
  type        = bool
  default     = true
}

variable "alert_emails" {
  description = "Email addresses subscribed to the alert topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails must contain email addresses."
  }
}

variable "cpu_threshold_percent" {
  description = "Average CPU percent over 15 minutes that raises the CPU alarm."
  type        = number
  default     = 85

  validation {
    condition     = var.cpu_threshold_percent > 0 && var.cpu_threshold_percent <= 100
    error_message = "cpu_threshold_percent must be in (0, 100]."
  }
}

variable "disk_threshold_percent" {
  description = "Root filesystem used percent that raises the disk alarm."
  type        = number
  default     = 80

  validation {
    condition     = var.disk_threshold_percent > 0 && var.disk_threshold_percent < 100
    error_message = "disk_threshold_percent must be in (0, 100)."
  }
}

variable "monthly_budget_usd" {
  description = "Monthly AWS cost budget in USD; alerts at 80% actual and 100% forecast."
  type        = number
  default     = 60

  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be positive."
  }
}

variable "failed_runs_threshold" {
  description = "Failed or crashed flow runs within 5 minutes that raise the flow-run alarm."
  type        = number
  default     = 1

  validation {
    condition     = var.failed_runs_threshold >= 1
    error_message = "failed_runs_threshold must be at least 1."
  }
}
