# Patient intake, Terraform.
resource "aws_kms_key" "patients" {
  enable_key_rotation = true
}

resource "aws_dynamodb_table" "patients" {
  name         = "patients"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  tags = {
    DataClassification = "PHI"
    CostCenter         = "clinical"
  }
}

resource "aws_iam_role" "intake" {
  name = "intake"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "intake" {
  role = aws_iam_role.intake.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["dynamodb:GetItem", "dynamodb:Query"], Resource = aws_dynamodb_table.patients.arn },
      { Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::partner-exports/*" },
    ]
  })
}

resource "aws_lambda_function" "bad" {
  function_name = "bad"
  role          = aws_iam_role.intake.arn
  runtime       = "python3.8"
  handler       = "app.handler"
  filename      = "build/app.zip"
  timeout       = 900
  memory_size   = 3008
  tags = {
    DataClassification = "PHI"
    Environment        = "prod"
  }
}

resource "aws_lambda_function_url" "bad" {
  function_name      = aws_lambda_function.bad.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_function" "good" {
  function_name = "good"
  role          = aws_iam_role.intake.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/app.zip"
  timeout       = 30
  memory_size   = 512
  kms_key_arn   = aws_kms_key.patients.arn
  vpc_config {
    subnet_ids         = ["subnet-0a1b2c3d"]
    security_group_ids = ["sg-0a1b2c3d"]
  }
  tags = {
    DataClassification = "PHI"
    CostCenter         = "clinical"
  }
}
