// Command hello is the floor the functions' cold start and size are compared with: the smallest
// aws-lambda-go function, built with the same flags (see shared/bench).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, in map[string]any) (string, error) { return "hello", nil })
}
