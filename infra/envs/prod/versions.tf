terraform {
  # 1.11 for write-only arguments (secrets module keeps values out of state).
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.88"
    }
  }

  # Values come from backend.hcl (see backend.hcl.example and the runbook),
  # written from the bootstrap root's outputs; nothing account-specific here.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  # Every resource gets these; modules set only Name and the deploy tag.
  default_tags {
    tags = {
      Project     = "editorbot"
      Environment = var.environment
      ManagedBy   = "terraform"
      Repository  = var.github_repository
    }
  }
}
