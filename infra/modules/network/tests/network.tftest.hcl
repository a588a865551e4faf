# Offline: dummy credentials, plan only (no AWS call is made).
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

variables {
  name   = "editorbot-test"
  vpc_id = "vpc-0123456789abcdef0"
}

run "default_has_no_inbound_rule" {
  command = plan

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.allowlist_ipv4) == 0 && length(aws_vpc_security_group_ingress_rule.allowlist_ipv6) == 0
    error_message = "the default security group must have no inbound rule"
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.https_ipv4.from_port == 443 && length(aws_vpc_security_group_egress_rule.http_ipv4) == 1
    error_message = "egress should be HTTPS plus HTTP for apt"
  }
}

run "telegram_webhook_ranges_are_accepted" {
  command = plan

  variables {
    ingress_allowlist_ipv4 = ["149.154.160.0/20", "91.108.4.0/22"]
    ingress_allowlist_ipv6 = ["2001:b28:f23d::/48"]
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.allowlist_ipv4) == 2 && aws_vpc_security_group_ingress_rule.allowlist_ipv4["91.108.4.0/22"].from_port == 443
    error_message = "allowlisted ranges should get HTTPS-only ingress"
  }
}

run "open_ipv4_is_rejected" {
  command = plan

  variables {
    ingress_allowlist_ipv4 = ["0.0.0.0/0"]
  }

  expect_failures = [var.ingress_allowlist_ipv4]
}

run "wide_ipv4_is_rejected" {
  command = plan

  variables {
    ingress_allowlist_ipv4 = ["0.0.0.0/1", "128.0.0.0/1"]
  }

  expect_failures = [var.ingress_allowlist_ipv4]
}

run "open_ipv6_is_rejected" {
  command = plan

  variables {
    ingress_allowlist_ipv6 = ["::/0"]
  }

  expect_failures = [var.ingress_allowlist_ipv6]
}
