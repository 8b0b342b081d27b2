resource "aws_vpc" "main" {
  cidr_block = 
}
