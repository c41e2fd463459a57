variable "name" {
  type    = string
  default = "ledger"
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "alarm_topic_arn" {
  type = string
}
