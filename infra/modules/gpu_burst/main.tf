# Placeholder for a future image/video stage (DESIGN.md video/short, video/long).
# Nothing is created unless enabled = true. When the stage exists, give it its
# own instance profile and user data; until then this only pins down the
# shape: same hardening as the control VM, GPU instance type, off by default.

data "aws_ami" "this" {
  count = var.enabled ? 1 : 0

  most_recent = true
  owners      = ["099720109477"]

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

locals {
  instance_name = "${var.name}-gpu-burst"
}

resource "aws_instance" "this" {
  count = var.enabled ? 1 : 0

  ami                         = coalesce(var.ami_id, data.aws_ami.this[0].id)
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [var.security_group_id]
  iam_instance_profile        = var.instance_profile_name
  associate_public_ip_address = var.associate_public_ip_address
  ebs_optimized               = true
  monitoring                  = true

  # Stop (not terminate) when the job shuts the machine down: burst capacity
  # is paid only while running.
  instance_initiated_shutdown_behavior = "stop"

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.root_volume_size_gb
    encrypted             = true
    delete_on_termination = true
  }

  tags = {
    Name = local.instance_name
  }
}
