package lambdamain

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// awsConfig builds the SDK configuration from what Lambda puts in the environment: the region and
// the execution role's credentials. It replaces config.LoadDefaultConfig, whose shared-file, SSO,
// STS and IMDS providers never apply inside Lambda yet cost every function about 1.8 MB and over
// a millisecond of cold start. Endpoint overrides (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>)
// are honoured as the SDK documents them, so a function can be pointed at local emulators.
func awsConfig(getenv func(string) string) (aws.Config, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		return aws.Config{}, errors.New("AWS_REGION is not set")
	}
	key, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if key == "" || secret == "" {
		return aws.Config{}, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	overrides := endpoints(getenv)
	cfg := aws.Config{
		Region:        region,
		Credentials:   credentials.NewStaticCredentialsProvider(key, secret, getenv("AWS_SESSION_TOKEN")),
		ConfigSources: []any{overrides},
	}
	if ignore, _, _ := overrides.GetIgnoreConfiguredEndpoints(context.Background()); !ignore {
		if url := getenv("AWS_ENDPOINT_URL"); url != "" {
			cfg.BaseEndpoint = aws.String(url)
		}
	}
	return cfg, nil
}

// endpoints answers the service clients' question for a per-service endpoint override
// (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SESV2, ...): the SDK ID upper-cased, spaces as
// underscores.
type endpoints func(string) string

func (e endpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	url := e("AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(sdkID, " ", "_")))
	return url, url != "", nil
}

// GetIgnoreConfiguredEndpoints reports AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func (e endpoints) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	v, err := strconv.ParseBool(e("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
	return v, err == nil, nil
}
