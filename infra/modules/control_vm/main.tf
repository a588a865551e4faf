data "aws_region" "current" {}

# Newest Ubuntu 22.04 LTS (jammy) amd64 image published by Canonical.
data "aws_ami" "this" {
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

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

locals {
  instance_name = "${var.name}-control"

  user_data = templatefile("${path.module}/templates/user_data.sh.tftpl", {
    app_dir          = var.app_dir
    repository_url   = var.repository_url
    initial_ref      = var.initial_ref
    environment      = var.environment
    region           = data.aws_region.current.name
    bucket_name      = var.bucket_name
    ssm_path_prefix  = var.ssm_path_prefix
    app_log_group    = var.app_log_group_name
    system_log_group = var.system_log_group_name

    image_repository_url = var.image_repository_url
    registry             = split("/", var.image_repository_url)[0]
    container_role_arns  = var.container_role_arns
  })
}

resource "aws_instance" "this" {
  #checkov:skip=CKV_AWS_88:No NAT gateway for one VM; the public IPv4 is for egress only and the security group has no inbound rule.
  ami                         = coalesce(var.ami_id, data.aws_ami.this.id)
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [var.security_group_id]
  iam_instance_profile        = var.instance_profile_name
  associate_public_ip_address = var.associate_public_ip_address
  ebs_optimized               = true
  monitoring                  = var.detailed_monitoring
  disable_api_termination     = var.termination_protection
  user_data                   = local.user_data
  user_data_replace_on_change = false

  # Deliberately no key_name: shell access is SSM Session Manager only.

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
    # 1 hop: the host (SSM agent, Docker's image pulls and log driver, the
    # credential timer) reaches the metadata service; a container on Docker's
    # bridge network is one hop further and never gets the instance role. Each
    # container gets its own role's credentials instead (compose.vm.yaml).
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.root_volume_size_gb
    encrypted             = true
    kms_key_id            = var.root_volume_kms_key_arn
    delete_on_termination = true
  }

  credit_specification {
    # t3 "unlimited" would bill surplus credits silently during long
    # transcriptions; standard throttles instead and the CPU alarm tells us.
    cpu_credits = "standard"
  }

  tags = {
    Name                   = local.instance_name
    (var.instance_tag_key) = var.instance_tag_value
  }

  volume_tags = {
    Name = "${local.instance_name}-root"
  }

  lifecycle {
    # A newer Ubuntu AMI must not replace the running VM on the next apply;
    # rebuild deliberately (runbook "Restoring after losing the VM").
    ignore_changes = [ami, user_data]
  }
}
