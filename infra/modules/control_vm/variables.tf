variable "name" {
  description = "Name prefix for resources, e.g. editorbot-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name written to /etc/editorbot/editorbot.env."
  type        = string

  validation {
    condition     = contains(["prod", "staging", "dev"], var.environment)
    error_message = "environment must be one of prod, staging, dev."
  }
}

variable "instance_type" {
  description = "EC2 instance type; t3.medium fits Whisper small int8 on CPU plus Prefect."
  type        = string
  default     = "t3.medium"

  validation {
    condition     = contains(["t3.medium", "t3.large", "t3a.medium", "t3a.large", "m6i.large"], var.instance_type)
    error_message = "instance_type must be one of t3.medium, t3.large, t3a.medium, t3a.large, m6i.large."
  }
}

variable "ami_id" {
  description = "Pin an AMI ID; null uses the newest Canonical Ubuntu 22.04 image."
  type        = string
  default     = null
}

variable "subnet_id" {
  description = "Subnet for the VM (a public subnet: there is no NAT gateway)."
  type        = string
}

variable "associate_public_ip_address" {
  description = "Give the VM a public IPv4 for egress (needed without a NAT gateway; the security group still admits nothing)."
  type        = bool
  default     = true
}

variable "security_group_id" {
  description = "Security group from the network module."
  type        = string
}

variable "instance_profile_name" {
  description = "Instance profile from the iam module."
  type        = string
}

variable "root_volume_size_gb" {
  description = "Root volume size in GiB (Docker images, Whisper model, audio scratch)."
  type        = number
  default     = 40

  validation {
    condition     = var.root_volume_size_gb >= 20 && var.root_volume_size_gb <= 500
    error_message = "root_volume_size_gb must be between 20 and 500."
  }
}

variable "root_volume_kms_key_arn" {
  description = "Customer-managed KMS key for the root volume; null uses the account's default EBS key."
  type        = string
  default     = null
}

variable "detailed_monitoring" {
  description = "1-minute EC2 metrics (small extra cost)."
  type        = bool
  default     = true
}

variable "termination_protection" {
  description = "Protect the VM from accidental termination through the API."
  type        = bool
  default     = true
}

variable "app_dir" {
  description = "Where the application is checked out on the VM."
  type        = string
  default     = "/opt/editorbot"
}

variable "repository_url" {
  description = "HTTPS clone URL of the application repository (its compose files; nothing is built on the VM)."
  type        = string

  validation {
    condition     = can(regex("^https://", var.repository_url))
    error_message = "repository_url must be an https:// clone URL."
  }
}

variable "initial_ref" {
  description = "Git ref checked out at first boot (compose files only); each deploy checks out its release's commit."
  type        = string
  default     = "main"
}

variable "bucket_name" {
  description = "Content bucket name, handed to the app as EDITORBOT_S3_BUCKET."
  type        = string
}

variable "ssm_path_prefix" {
  description = "SSM path of the app's secrets without trailing slash, e.g. /editorbot/prod."
  type        = string
}

variable "app_log_group_name" {
  description = "Log group for container logs (Docker awslogs driver)."
  type        = string
}

variable "system_log_group_name" {
  description = "Log group for bootstrap, cloud-init and syslog (CloudWatch agent)."
  type        = string
}

variable "instance_tag_key" {
  description = "Tag key the deploy role's condition matches."
  type        = string
  default     = "EditorBotRole"
}

variable "instance_tag_value" {
  description = "Tag value the deploy role's condition matches."
  type        = string
  default     = "control"
}

variable "image_repository_url" {
  description = "ECR repository (<registry>/<name>) the VM pulls the release images from, by digest."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+$", var.image_repository_url))
    error_message = "image_repository_url must be an ECR repository URL, <account>.dkr.ecr.<region>.amazonaws.com/<name>."
  }
}

variable "container_role_arns" {
  description = "Map of container role (server, runner, bot) to the IAM role ARN the host mints its credentials from."
  type        = map(string)

  validation {
    condition     = toset(keys(var.container_role_arns)) == toset(["server", "runner", "bot"])
    error_message = "container_role_arns must name exactly the server, runner and bot roles."
  }
}
