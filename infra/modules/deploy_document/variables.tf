variable "name" {
  description = "Name prefix for resources, e.g. editorbot-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "app_dir" {
  description = "Git checkout of the application on the VM."
  type        = string
  default     = "/opt/editorbot"

  validation {
    condition     = can(regex("^/[A-Za-z0-9/_.-]+$", var.app_dir))
    error_message = "app_dir must be an absolute path without spaces or shell characters."
  }
}

variable "service_name" {
  description = "systemd unit that runs docker compose for the app."
  type        = string
  default     = "editorbot.service"

  validation {
    condition     = can(regex("^[A-Za-z0-9@_.-]+\\.service$", var.service_name))
    error_message = "service_name must be a systemd unit name ending in .service."
  }
}

variable "timeout_seconds" {
  description = "Maximum run time of the deploy script (image pulls and the health wait included)."
  type        = number
  default     = 900

  validation {
    condition     = var.timeout_seconds >= 60 && var.timeout_seconds <= 172800
    error_message = "timeout_seconds must be between 60 and 172800."
  }
}

variable "image_repository_url" {
  description = "The one ECR repository (<registry>/<name>) the document pulls from; the caller names only digests."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+$", var.image_repository_url))
    error_message = "image_repository_url must be an ECR repository URL, <account>.dkr.ecr.<region>.amazonaws.com/<name>."
  }
}

variable "health_wait_seconds" {
  description = "How long the three services may take to report healthy after the restart before the deploy fails."
  type        = number
  default     = 300

  validation {
    condition     = var.health_wait_seconds >= 30 && var.health_wait_seconds <= 1800 && var.health_wait_seconds % 5 == 0
    error_message = "health_wait_seconds must be a multiple of 5 between 30 and 1800."
  }
}

variable "releases_kept_on_vm" {
  description = "Releases whose images stay on the VM's disk for a quick rollback; older ones are removed at each deploy."
  type        = number
  default     = 3

  validation {
    condition     = var.releases_kept_on_vm >= 2 && var.releases_kept_on_vm <= 10
    error_message = "releases_kept_on_vm must be between 2 and 10."
  }
}
