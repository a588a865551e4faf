terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }

  # Local state on purpose: this root creates the remote state backend, so it
  # cannot use it. Its state holds no secrets; keep it out of git (.gitignore)
  # and, after the first apply, optionally migrate it into the bucket it made.
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project   = "editorbot"
      ManagedBy = "terraform"
      Component = "tfstate"
    }
  }
}
