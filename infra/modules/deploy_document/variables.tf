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
  description = "Maximum run time of the deploy script (image builds included)."
  type        = number
  default     = 1800

  validation {
    condition     = var.timeout_seconds >= 60 && var.timeout_seconds <= 172800
    error_message = "timeout_seconds must be between 60 and 172800."
  }
}
