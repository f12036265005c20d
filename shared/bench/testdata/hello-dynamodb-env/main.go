// Command hello-dynamodb-env is hello-world plus one DynamoDB call, its AWS configuration built
// from the Lambda environment alone (region and the role's credentials) as shared/lambdamain
// builds the functions': what the AWS SDK alone costs in size and cold start.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func main() {
	cfg := aws.Config{Region: os.Getenv("AWS_REGION"), Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
		os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")))}
	if e := os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"); e != "" {
		cfg.BaseEndpoint = aws.String(e)
	}
	db := dynamodb.NewFromConfig(cfg)
	table := os.Getenv("TABLE_NAME")
	lambda.Start(func(ctx context.Context, in map[string]any) (string, error) {
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "hello"}, "sk": &types.AttributeValueMemberS{Value: "hello"}}})
		return "hello", err
	})
}
