terraform {
  # value_wo (write-only, never stored in state) needs Terraform 1.11 and
  # AWS provider 5.88 or later; everything else in the tree works with 1.5.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.88"
    }
  }
}
