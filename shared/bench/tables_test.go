package bench

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// withoutStream makes a client's CreateTable calls create the stack's table minus its stream.
// On a table with a stream, DynamoDB Local spends tens of milliseconds on every item written (the
// report measures it), which would drown what is measured here; nothing here reads the stream.
func withoutStream(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("GCCBenchNoStream", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if ct, ok := in.Parameters.(*dynamodb.CreateTableInput); ok {
				ct.StreamSpecification = nil
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	})
}
