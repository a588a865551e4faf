variable "enabled" {
  description = "Create the GPU burst instance. Off until the image/video stage exists."
  type        = bool
  default     = false
}

variable "name" {
  description = "Name prefix for resources, e.g. editorbot-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "instance_type" {
  description = "GPU instance type."
  type        = string
  default     = "g4dn.xlarge"

  validation {
    condition     = contains(["g4dn.xlarge", "g4dn.2xlarge", "g5.xlarge", "g6.xlarge"], var.instance_type)
    error_message = "instance_type must be one of g4dn.xlarge, g4dn.2xlarge, g5.xlarge, g6.xlarge."
  }
}

variable "ami_id" {
  description = "Pin an AMI (e.g. a Deep Learning AMI with NVIDIA drivers); null uses stock Ubuntu 22.04."
  type        = string
  default     = null
}

variable "subnet_id" {
  description = "Subnet for the instance (needs a public IP or NAT for egress)."
  type        = string
  default     = null
}

variable "associate_public_ip_address" {
  description = "Public IPv4 for egress; the security group admits nothing inbound."
  type        = bool
  default     = true
}

variable "security_group_id" {
  description = "Security group (the network module's, with no inbound rules)."
  type        = string
  default     = null
}

variable "instance_profile_name" {
  description = "Instance profile for the burst worker."
  type        = string
  default     = null
}

variable "root_volume_size_gb" {
  description = "Root volume size in GiB (models and renders)."
  type        = number
  default     = 100

  validation {
    condition     = var.root_volume_size_gb >= 50 && var.root_volume_size_gb <= 1000
    error_message = "root_volume_size_gb must be between 50 and 1000."
  }
}
