variable "kms_key_id" {}

resource "aws_rds_cluster" "analytics" {
  cluster_identifier = "analytics"
  engine             = "aurora-postgresql"
  storage_encrypted  = true
  kms_key_id         = var.kms_key_id
}

resource "aws_rds_cluster_instance" "analytics" {
  count              = 2
  cluster_identifier = aws_rds_cluster.analytics.id
  instance_class     = "db.r6g.large"
}
