// Command app is the CDK app of GCC Onboard; cdk.json runs it ("go run ./infra/app") from the
// repository root. Settings come from CDK context (cdk.json, or --context key=value):
//
//	mailDomain       SES domain identity mail is sent from (default gcconboard.example)
//	reviewTeamEmail  where new-request notices go (default usgcce-review@<mailDomain>)
//	publicBaseUrl    base of links in mail (default the HTTP API's endpoint URL)
//	assetDir         folder holding <function>/bootstrap (default build)
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/gcconboard/gcconboard/infra"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	infra.NewOnboardStack(app, "GccOnboard", &infra.StackProps{
		StackProps:      awscdk.StackProps{Env: env()},
		AssetDir:        contextString(app, "assetDir"),
		MailDomain:      contextString(app, "mailDomain"),
		ReviewTeamEmail: contextString(app, "reviewTeamEmail"),
		PublicBaseURL:   contextString(app, "publicBaseUrl"),
	})
	app.Synth(nil)
}

// contextString returns a context value as a string; "" when unset (the stack has the defaults).
func contextString(app awscdk.App, key string) string {
	switch v := app.Node().TryGetContext(jsii.String(key)).(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		fmt.Fprintf(os.Stderr, "context %s: want a string, got %T\n", key, v)
		os.Exit(1)
		return ""
	}
}

// env pins the stack to the account and region the CDK CLI resolved from the caller's AWS
// profile, when it resolved them; without them (synth needs no credentials) the stack is
// account-agnostic in infra.DefaultRegion.
func env() *awscdk.Environment {
	e := &awscdk.Environment{}
	if a := os.Getenv("CDK_DEFAULT_ACCOUNT"); a != "" {
		e.Account = jsii.String(a)
	}
	if r := os.Getenv("CDK_DEFAULT_REGION"); r != "" {
		e.Region = jsii.String(r)
	}
	return e
}
