locals {
  sg_name = "${var.name}-control"

  # Ingress exists only for addresses someone listed on purpose (validated in
  # variables.tf: no /0, no wide prefixes). With the default empty lists the
  # security group has no inbound rule at all; the VM is reached through SSM.
  ingress_ipv4 = toset(var.ingress_allowlist_ipv4)
  ingress_ipv6 = toset(var.ingress_allowlist_ipv6)
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:Attached to the control VM in envs/prod (module wiring checkov cannot follow across modules).
  name        = local.sg_name
  description = "EditorBot control VM: no inbound, HTTPS/HTTP egress only"
  vpc_id      = var.vpc_id

  # Rules are separate aws_vpc_security_group_*_rule resources; an inline
  # ingress/egress block here would fight with them.
  lifecycle {
    create_before_destroy = true
  }
}

# Egress notes. DNS (VPC resolver at VPC base+2 / 169.254.169.253), the
# instance metadata service and Amazon Time Sync (169.254.169.123) are
# link-local services that security groups do not filter, so no rule is
# needed for them.

# 443: everything the VM talks to is HTTPS - Telegram Bot API, Gemini API,
# S3, SSM/SSM messages (agent + port forwarding), CloudWatch Logs/metrics,
# KMS, Docker Hub / registries, GitHub (git fetch of the app), PyPI during
# image builds. Their addresses are not stable, hence the open destination.
#trivy:ignore:AVD-AWS-0104 HTTPS egress to the internet is the bot's job (Telegram/Gemini/AWS APIs); there is no inbound rule.
resource "aws_vpc_security_group_egress_rule" "https_ipv4" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to Telegram, Gemini, AWS APIs, registries, GitHub"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

#trivy:ignore:AVD-AWS-0104 HTTPS egress to the internet is the bot's job (Telegram/Gemini/AWS APIs); there is no inbound rule.
resource "aws_vpc_security_group_egress_rule" "https_ipv6" {
  count = var.enable_ipv6_egress ? 1 : 0

  security_group_id = aws_security_group.this.id
  description       = "HTTPS over IPv6 (dual-stack subnets)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = "::/0"
}

# 80: Ubuntu's archive and security mirrors are served over plain HTTP (apt
# verifies them with signed Release files), so unattended security updates
# and the first-boot package install need it. Set allow_http_egress = false
# once the AMI is baked or an HTTPS mirror is configured.
#trivy:ignore:AVD-AWS-0104 apt mirrors are HTTP-only; packages are signature-checked by apt.
resource "aws_vpc_security_group_egress_rule" "http_ipv4" {
  count = var.allow_http_egress ? 1 : 0

  security_group_id = aws_security_group.this.id
  description       = "HTTP to Ubuntu apt mirrors (signed packages)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

# Optional, explicit, narrow ingress on HTTPS only (e.g. Telegram webhook
# mode from Telegram's published ranges). Empty by default.
resource "aws_vpc_security_group_ingress_rule" "allowlist_ipv4" {
  for_each = local.ingress_ipv4

  security_group_id = aws_security_group.this.id
  description       = "HTTPS from allowlisted ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_ingress_rule" "allowlist_ipv6" {
  for_each = local.ingress_ipv6

  security_group_id = aws_security_group.this.id
  description       = "HTTPS from allowlisted ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = each.value
}
