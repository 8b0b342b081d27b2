terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      CostCenter  = "cc-1234"
      Environment = "production"
      ManagedBy   = "terraform"
    }
  }
}

provider "aws" {
  alias  = "use1"
  region = "us-east-1"
}

variable "region" {
  default = "eu-west-1"
}

variable "db_password" {
  sensitive = true
}

resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "shop-vpc" }
}

resource "aws_db_instance" "orders" {
  identifier        = "orders-prod"
  instance_class    = "db.x2iedn.32xlarge"
  engine            = "postgres"
  allocated_storage = 1000
  storage_encrypted = false
  password          = var.db_password
}

resource "aws_s3_bucket" "logs" {
  for_each = { audit = "shop-audit-logs" }
  bucket   = each.value
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
  }
}

module "platform" {
  source   = "./modules/platform"
  for_each = toset(["eu"])
  providers = {
    aws = aws.use1
  }
}
