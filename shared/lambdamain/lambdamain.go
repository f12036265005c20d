// Package lambdamain is what every Lambda's main does before its own wiring: a JSON logger, the
// AWS configuration and the table, built once at cold start so warm invocations reuse them.
package lambdamain

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gcconboard/gcconboard/shared/dynamo"
	"github.com/gcconboard/gcconboard/shared/store"
)

// Env is what a function's wiring gets.
type Env struct {
	Ctx   context.Context
	Log   *slog.Logger
	AWS   aws.Config
	Store *store.Store
}

// Start builds Env, lets build make the function's handler from it, and hands that to the Lambda
// runtime. A failure to start is logged once and ends the process, so Lambda reports an init error.
func Start(build func(Env) (any, error)) {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	fail := func(err error) {
		log.Error("start", "error", err)
		os.Exit(1)
	}
	ctx := context.Background()
	cfg, err := awsConfig(os.Getenv)
	if err != nil {
		fail(err)
	}
	backend, err := dynamo.FromEnv(cfg)
	if err != nil {
		fail(err)
	}
	h, err := build(Env{Ctx: ctx, Log: log, AWS: cfg, Store: store.New(backend)})
	if err != nil {
		fail(err)
	}
	lambda.Start(h)
}
