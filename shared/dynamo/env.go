package dynamo

import (
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// FromEnv builds the Backend a Lambda uses: a client from cfg and the table named by TABLE_NAME.
// Lambdas call it once in main, so warm invocations reuse the client.
func FromEnv(cfg aws.Config) (*Backend, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, fmt.Errorf("dynamo: TABLE_NAME is not set")
	}
	return New(dynamodb.NewFromConfig(cfg), table), nil
}
