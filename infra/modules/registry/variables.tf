variable "name" {
  description = "Repository name, e.g. editorbot-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "images_to_keep" {
  description = "Images of each role (server, runner, bot) ECR keeps: the releases you can roll back to."
  type        = number
  default     = 10

  validation {
    condition     = var.images_to_keep >= 3 && var.images_to_keep <= 100
    error_message = "images_to_keep must be between 3 and 100."
  }
}
