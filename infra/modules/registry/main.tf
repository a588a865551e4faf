locals {
  # One repository, one tag per image target and commit: server-<sha>, runner-<sha>,
  # bot-<sha>. Tags are immutable, so a tag names the same digest forever and a deploy
  # can look a commit's digests up by tag.
  roles = ["server", "runner", "bot"]

  # ECR keeps the newest `images_to_keep` images of each role (rollback targets) and
  # drops untagged leftovers after a day; the VM prunes its own copies in the deploy.
  lifecycle_rules = concat(
    [
      {
        rulePriority = 1
        description  = "Drop untagged images (failed or superseded pushes) after a day."
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 1
        }
        action = { type = "expire" }
      },
    ],
    [
      for index, role in local.roles : {
        rulePriority = index + 2
        description  = "Keep the newest ${var.images_to_keep} ${role} images."
        selection = {
          tagStatus     = "tagged"
          tagPrefixList = ["${role}-"]
          countType     = "imageCountMoreThan"
          countNumber   = var.images_to_keep
        }
        action = { type = "expire" }
      }
    ],
  )
}

resource "aws_ecr_repository" "this" {
  name                 = var.name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false

  # ECR's basic scan on every push, on top of the trivy scan CI ran before pushing.
  image_scanning_configuration {
    scan_on_push = true
  }

  # The AWS-managed ECR key: pulls and pushes need no KMS grant of their own.
  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy     = jsonencode({ rules = local.lifecycle_rules })
}
