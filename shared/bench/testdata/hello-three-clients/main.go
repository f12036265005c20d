// Command hello-three-clients is hello-dynamodb-env with the notifier's other two AWS clients, SES
// v2 and KMS: the floor of a function that needs all three, whatever else it does. Each client's
// package registers its shapes at init, before main runs.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

func main() {
	cfg := aws.Config{Region: os.Getenv("AWS_REGION"), Credentials: credentials.NewStaticCredentialsProvider(
		os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"))}
	db, ses, keys := dynamodb.NewFromConfig(cfg), sesv2.NewFromConfig(cfg), kms.NewFromConfig(cfg)
	table := os.Getenv("TABLE_NAME")
	lambda.Start(func(ctx context.Context, in map[string]any) (string, error) {
		if _, ok := in["send"]; ok { // not in the benchmark's events: the calls only keep the clients linked
			out, err := keys.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("sealed")})
			if err != nil {
				return "", err
			}
			_, err = ses.SendEmail(ctx, &sesv2.SendEmailInput{Content: &sestypes.EmailContent{Raw: &sestypes.RawMessage{Data: out.Plaintext}}})
			return "sent", err
		}
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "hello"}, "sk": &types.AttributeValueMemberS{Value: "hello"}}})
		return "hello", err
	})
}
