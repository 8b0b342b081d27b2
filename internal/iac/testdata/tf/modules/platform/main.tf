resource "aws_kms_key" "data" {
  description         = "analytics data"
  enable_key_rotation = true
}

module "db" {
  source     = "./db"
  kms_key_id = aws_kms_key.data.arn
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
}
