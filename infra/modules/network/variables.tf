variable "name" {
  description = "Name prefix for resources, e.g. editorbot-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC that hosts the control VM."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "allow_http_egress" {
  description = "Allow TCP 80 egress for Ubuntu apt mirrors (HTTP, signed by apt)."
  type        = bool
  default     = true
}

variable "enable_ipv6_egress" {
  description = "Also allow HTTPS egress over IPv6 (only useful on dual-stack subnets)."
  type        = bool
  default     = false
}

variable "ingress_allowlist_ipv4" {
  description = "IPv4 CIDRs allowed to reach TCP 443. Empty (the default) means no inbound rule at all. /0 and anything wider than /16 are rejected."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for cidr in var.ingress_allowlist_ipv4 :
      can(cidrhost(cidr, 0)) && !can(regex(":", cidr)) && tonumber(split("/", cidr)[1]) >= 16
    ])
    error_message = "Each entry must be an IPv4 CIDR with a prefix of /16 or longer; 0.0.0.0/0 can never be allowlisted."
  }
}

variable "ingress_allowlist_ipv6" {
  description = "IPv6 CIDRs allowed to reach TCP 443. Empty (the default) means no inbound rule at all. ::/0 and anything wider than /32 are rejected."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for cidr in var.ingress_allowlist_ipv6 :
      can(cidrhost(cidr, 0)) && can(regex(":", cidr)) && tonumber(split("/", cidr)[1]) >= 32
    ])
    error_message = "Each entry must be an IPv6 CIDR with a prefix of /32 or longer; ::/0 can never be allowlisted."
  }
}
