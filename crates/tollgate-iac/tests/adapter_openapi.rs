//! Inline OpenAPI definitions (SAM `DefinitionBody`, CloudFormation `Body`): their operations
//! become routes of the API, with the authorization their `security` gives.

mod cfn_support;
mod tf_support;

use cfn_support::{model_of, notes};
use tollgate_iac::model::{CloudModel, Ref};

/// (method, path, authorization or `-`, API key required, API address, line of the route)
type Row<'a> = (&'a str, &'a str, &'a str, bool, &'a str, u32);

fn rows(m: &CloudModel) -> Vec<Row<'_>> {
    m.api_routes
        .iter()
        .map(|r| {
            (
                r.method.as_str().unwrap_or("?"),
                r.path.as_str().unwrap_or("?"),
                r.authorization.as_str().unwrap_or("-"),
                r.api_key_required.is_true(),
                r.api.get().and_then(Ref::address).unwrap_or("?"),
                r.meta.header.start.line,
            )
        })
        .collect()
}

#[test]
fn sam_api_swagger_operations_use_their_own_or_the_top_level_security() {
    let m = model_of(
        "template.yaml",
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: "2.0"
        security:
          - sigv4: []
        securityDefinitions:
          sigv4:
            type: apiKey
            name: Authorization
            in: header
            x-amazon-apigateway-authtype: awsSigv4
          api_key:
            type: apiKey
            name: x-api-key
            in: header
          Lambda:
            type: apiKey
            name: Authorization
            in: header
            x-amazon-apigateway-authorizer:
              type: token
              authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/fn
        paths:
          /orders:
            get:
              responses: {}
            post:
              security:
                - Lambda: []
            x-amazon-apigateway-any-method:
              security:
                - api_key: []
          /health:
            get:
              security: []
            options: {}
"#,
    );
    assert_eq!(notes(&m), "");
    assert_eq!(
        rows(&m),
        [
            ("GET", "/orders", "AWS_IAM", false, "Orders", 30),
            ("POST", "/orders", "CUSTOM", false, "Orders", 32),
            ("ANY", "/orders", "-", true, "Orders", 35),
            ("GET", "/health", "NONE", false, "Orders", 39),
            ("OPTIONS", "/health", "AWS_IAM", false, "Orders", 41),
        ]
    );
    // `security: []` is where the operation says it is open.
    assert_eq!(
        m.api_routes[3].authorization.span().map(|s| s.start.line),
        Some(40)
    );
    assert_eq!(m.api_routes[0].path.span().map(|s| s.start.line), Some(29));
}

#[test]
fn sam_operations_without_security_get_the_default_authorizer() {
    let m = model_of(
        "template.yaml",
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: MyCognito
      DefinitionBody:
        openapi: "3.0.1"
        paths:
          /orders:
            get: {}
            delete:
              security: []
"#,
    );
    assert_eq!(
        rows(&m),
        [
            ("GET", "/orders", "MyCognito", false, "Orders", 13),
            ("DELETE", "/orders", "NONE", false, "Orders", 14),
        ]
    );
}

#[test]
fn sam_http_api_openapi3_jwt_and_cognito_schemes() {
    let m = model_of(
        "template.yaml",
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: "3.0.1"
        components:
          securitySchemes:
            jwt:
              type: oauth2
              x-amazon-apigateway-authorizer:
                type: jwt
                jwtConfiguration: { issuer: https://auth.example.com }
            pool:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authtype: cognito_user_pools
            plain:
              type: http
              scheme: bearer
        paths:
          /a:
            get:
              security: [{ jwt: [] }]
          /b:
            patch:
              security: [{ pool: [] }]
          /c:
            put:
              security: [{ plain: [] }]
          /d:
            head:
              security: [{ jwt: [] }, {}]
"#,
    );
    let r = rows(&m);
    assert_eq!(r[0], ("GET", "/a", "JWT", false, "Http", 25));
    assert_eq!(
        r[1],
        ("PATCH", "/b", "COGNITO_USER_POOLS", false, "Http", 28)
    );
    // A scheme API Gateway gives no meaning to is not guessed at.
    assert_eq!(r[2].0, "PUT");
    assert!(m.api_routes[2].authorization.is_unknown());
    // An empty alternative lets anyone in.
    assert_eq!(r[3], ("HEAD", "/d", "NONE", false, "Http", 34));
    assert!(m
        .api_routes
        .iter()
        .all(|r| r.protocol == tollgate_iac::model::ApiProtocol::Http));
}

#[test]
fn cloudformation_rest_api_body_and_http_api_body() {
    let m = model_of(
        "template.yaml",
        r#"Resources:
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: rest
      Body:
        swagger: "2.0"
        paths:
          /items/{id}:
            get: {}
            put:
              security: [{ Auth: [] }]
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: http
      Body:
        openapi: "3.0.1"
        security: []
        paths:
          /:
            post: {}
"#,
    );
    assert_eq!(notes(&m), "");
    assert_eq!(
        rows(&m),
        [
            ("GET", "/items/{id}", "-", false, "Rest", 10),
            // Declared by name only: an authorizer SAM or the console adds to the definition.
            ("PUT", "/items/{id}", "Auth", false, "Rest", 11),
            ("POST", "/", "NONE", false, "Http", 22),
        ]
    );
}

#[test]
fn unknown_or_external_definitions_keep_the_note_and_make_no_routes() {
    let m = model_of(
        "template.yaml",
        r#"Transform: AWS::Serverless-2016-10-31
Parameters:
  Spec:
    Type: String
Resources:
  Included:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: { Location: s3://bucket/openapi.yaml }
  FromFile:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: openapi.yaml
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: { Bucket: b, Key: k }
  Partly:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        paths:
          /a:
            get:
              security: !Ref Spec
"#,
    );
    assert_eq!(rows(&m), []);
    let notes = notes(&m);
    assert_eq!(
        notes.matches("OpenAPI definition are not analysed").count(),
        4,
        "{notes}"
    );
}

#[test]
fn operations_beyond_the_cap_are_left_out_and_counted() {
    let mut yaml = String::from(
        "Resources:\n  Rest:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Body:\n        paths:\n",
    );
    for i in 0..1_001 {
        yaml.push_str(&format!(
            "          /p{i}:\n            get: {{}}\n            post: {{}}\n"
        ));
    }
    let m = model_of("template.yaml", &yaml);
    assert_eq!(
        m.api_routes.len(),
        tollgate_iac::adapters::openapi::MAX_OPERATIONS
    );
    assert!(
        notes(&m).contains("2 operations of the OpenAPI definition beyond the first 2000"),
        "{}",
        notes(&m)
    );
}

#[test]
fn terraform_jsonencode_bodies_make_routes_and_other_bodies_are_noted() {
    let m = tf_support::model_of("terraform/openapi");
    assert_eq!(
        rows(&m),
        [
            (
                "GET",
                "/orders",
                "AWS_IAM",
                false,
                "aws_api_gateway_rest_api.inline",
                21
            ),
            (
                "POST",
                "/orders",
                "-",
                false,
                "aws_api_gateway_rest_api.inline",
                24
            ),
            (
                "GET",
                "/status",
                "NONE",
                false,
                "aws_apigatewayv2_api.http",
                38
            ),
        ]
    );
    assert_eq!(
        m.api_routes[2].protocol,
        tollgate_iac::model::ApiProtocol::Http
    );
    let notes = notes(&m);
    assert_eq!(
        notes
            .matches("routes defined in an OpenAPI body are not analysed")
            .count(),
        2,
        "{notes}"
    );
}
