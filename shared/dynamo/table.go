package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gcconboard/gcconboard/shared/store"
)

// NewLocalClient returns a client for DynamoDB Local at endpoint (e.g. "http://127.0.0.1:8000"),
// with fixed credentials so no AWS account or profile is needed.
// optFns adjust the client further (tests add fault-injecting middleware this way).
func NewLocalClient(_ context.Context, endpoint string, optFns ...func(*dynamodb.Options)) (*dynamodb.Client, error) {
	// Options are set directly, not through the config package: that package reads profiles and
	// links SSO and STS clients, and importing it would put them in every Lambda that imports dynamo.
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(endpoint),
		// DynamoDB Local's CRC32 response header does not always match what the SDK computes.
		DisableValidateResponseChecksum: true,
	}, optFns...), nil
}

// tableActiveTimeout bounds how long CreateTable waits for a new table to become usable.
const tableActiveTimeout = 5 * time.Minute

// TableOption changes the table CreateTable makes from the stack's definition.
type TableOption func(*dynamodb.CreateTableInput)

// WithoutStream leaves the stream out. On DynamoDB Local a stream makes every transaction about
// three times slower (BENCHMARKS.md), and more so as an instance accumulates stream-enabled
// tables; only the tests of the notifier's stream path read it.
func WithoutStream(in *dynamodb.CreateTableInput) { in.StreamSpecification = nil }

// CreateTable creates the table as the CDK stack defines it (on-demand, pk/sk, the gsi1 index
// projecting everything, a stream of new and old images, TTL on "ttl"), changed by opts; waits
// until it is active; and succeeds if it already exists, so local runs and tests can call it on
// every start.
func CreateTable(ctx context.Context, client *dynamodb.Client, name string, opts ...TableOption) error {
	str := types.ScalarAttributeTypeS
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(store.AttrPK), AttributeType: str},
			{AttributeName: aws.String(store.AttrSK), AttributeType: str},
			{AttributeName: aws.String(store.AttrGSI1PK), AttributeType: str},
			{AttributeName: aws.String(store.AttrGSI1SK), AttributeType: str},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(store.AttrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(store.AttrSK), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String(store.IndexGSI1),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(store.AttrGSI1PK), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(store.AttrGSI1SK), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
		StreamSpecification: &types.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: types.StreamViewTypeNewAndOldImages,
		},
	}
	for _, opt := range opts {
		opt(in)
	}
	_, err := client.CreateTable(ctx, in)
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("dynamo: create table %s: %w", name, err)
	}
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Second, 5*time.Second // the default 20 s is too slow locally
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, tableActiveTimeout); err != nil {
		return fmt.Errorf("dynamo: wait for table %s: %w", name, err)
	}
	// TTL can only be set on an active table, and enabling it twice is an error, so look first.
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("dynamo: describe ttl of %s: %w", name, err)
	}
	if d := ttl.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == store.AttrTTL &&
		(d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(store.AttrTTL),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("dynamo: enable ttl on %s: %w", name, err)
	}
	return nil
}

// DeleteTable removes a table; tests use it to clean up the tables they create.
func DeleteTable(ctx context.Context, client *dynamodb.Client, name string) error {
	_, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &name})
	return err
}
