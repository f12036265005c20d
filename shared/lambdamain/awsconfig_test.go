package lambdamain

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

var lambdaEnv = map[string]string{"AWS_REGION": "us-gov-west-1", "AWS_ACCESS_KEY_ID": "AKID",
	"AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_SESSION_TOKEN": "TOKEN"}

func with(extra map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range lambdaEnv {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func TestAWSConfigFromLambdaEnvironment(t *testing.T) {
	cfg, err := awsConfig(env(lambdaEnv))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "us-gov-west-1" {
		t.Errorf("region %q", cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "AKID" || creds.SecretAccessKey != "SECRET" || creds.SessionToken != "TOKEN" {
		t.Errorf("credentials %+v", creds)
	}
	if ep := dynamodb.NewFromConfig(cfg).Options().BaseEndpoint; ep != nil {
		t.Errorf("no override set, yet the DynamoDB endpoint is %q", *ep)
	}
}

func TestAWSConfigEndpointOverrides(t *testing.T) {
	cfg, err := awsConfig(env(with(map[string]string{
		"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000", "AWS_ENDPOINT_URL_SESV2": "http://127.0.0.1:8005"})))
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(dynamodb.NewFromConfig(cfg).Options().BaseEndpoint); got != "http://127.0.0.1:8000" {
		t.Errorf("DynamoDB endpoint %q", got)
	}
	if got := aws.ToString(sesv2.NewFromConfig(cfg).Options().BaseEndpoint); got != "http://127.0.0.1:8005" {
		t.Errorf("SES v2 endpoint %q", got)
	}

	cfg, _ = awsConfig(env(with(map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"})))
	if got := aws.ToString(sesv2.NewFromConfig(cfg).Options().BaseEndpoint); got != "http://127.0.0.1:4566" {
		t.Errorf("global endpoint: SES v2 endpoint %q", got)
	}

	cfg, _ = awsConfig(env(with(map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"})))
	if ep := dynamodb.NewFromConfig(cfg).Options().BaseEndpoint; ep != nil {
		t.Errorf("overrides ignored, yet the DynamoDB endpoint is %q", *ep)
	}
}

func TestAWSConfigNamesWhatIsMissing(t *testing.T) {
	for missing, want := range map[string]string{"AWS_REGION": "AWS_REGION", "AWS_SECRET_ACCESS_KEY": "AWS_SECRET_ACCESS_KEY"} {
		m := with(nil)
		delete(m, missing)
		if _, err := awsConfig(env(m)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("without %s: error %v", missing, err)
		}
	}
}
