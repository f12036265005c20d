// Package infra is the CDK stack of GCC Onboard: one DynamoDB table with a stream, one Lambda per
// function of the route table (shared/routes) plus the notifier, an HTTP API whose routes are
// generated from that table, a Cognito user pool for staff, and SES for mail.
//
// Adding a route to routes.All needs no change here; adding a new function needs one entry in
// Specs, and the stack fails to synthesize until that entry says what the function may do.
package infra

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gcconboard/gcconboard/shared/onboard"
	"github.com/gcconboard/gcconboard/shared/routes"
)

// Defaults used when StackProps leaves a field empty (the app fills them from CDK context).
const (
	DefaultAssetDir   = "build"
	DefaultMailDomain = "gcconboard.example"
)

// Environment variables the stack sets on the functions; each main.go reads these names.
const (
	EnvTableName        = "TABLE_NAME"            // every function
	EnvMailFrom         = "MAIL_FROM"             // every function: no-reply@<mail domain>
	EnvReviewTeamEmail  = "REVIEW_TEAM_EMAIL"     // every function
	EnvPublicBaseURL    = "PUBLIC_BASE_URL"       // every function: links in mail, no trailing slash
	EnvConfigurationSet = "SES_CONFIGURATION_SET" // only functions with SendMail
	EnvKMSKeyID         = "KMS_KEY_ID"            // only functions with Seal or Unseal: the seal key's ARN
)

// Outbox filter values: the stream delivers to the outbox consumer only items whose new image has
// kind = OutboxKind and status = OutboxPending (the store must write exactly these strings).
const (
	OutboxKind    = "Outbox"
	OutboxPending = "Pending"
)

// DefaultRegion is the stack's region when neither the CDK CLI (CDK_DEFAULT_REGION) nor the
// caller names one.
const DefaultRegion = "us-east-1"

// StackProps configures NewOnboardStack.
type StackProps struct {
	awscdk.StackProps
	// AssetDir is the folder holding <function>/bootstrap for every function; default "build".
	AssetDir string
	// MailDomain is the SES domain identity mail is sent from; default DefaultMailDomain.
	MailDomain string
	// ReviewTeamEmail receives new-request notices; default "usgcce-review@" + MailDomain.
	ReviewTeamEmail string
	// PublicBaseURL is the base of links in mail; default the HTTP API's endpoint URL.
	PublicBaseURL string
}

// FunctionSpec is what one Lambda function may do and how it runs; the stack grants exactly this.
type FunctionSpec struct {
	ReadTable  bool // GetItem, Query, Scan, BatchGetItem, ConditionCheckItem on the table and its indexes
	WriteTable bool // PutItem, UpdateItem, DeleteItem, BatchWriteItem (transactions need these too)
	SendMail   bool // ses:SendEmail on the domain identity and the configuration set only
	// ConsumeOutbox subscribes the function to the table stream, filtered to pending outbox items,
	// with a DLQ and an alarm on it.
	ConsumeOutbox bool
	// Schedule, when set, invokes the function on that EventBridge schedule expression,
	// e.g. "rate(5 minutes)" or "cron(0 13 ? * MON-FRI *)".
	Schedule string
	MemoryMB int           // 0 means 256
	Timeout  time.Duration // 0 means 10 s

	// Seal allows kms:Encrypt and Unseal kms:Decrypt with the seal key, the key that seals the
	// secrets stored in the table (invitation links in mail, answers and the reusable link).
	// Either sets EnvKMSKeyID.
	Seal, Unseal bool
}

// Specs is every function's spec, by function name. A function named in routes.All without an
// entry here makes the stack panic: a new function's rights must be stated, never guessed.
var Specs = map[string]FunctionSpec{
	routes.Intake: {ReadTable: true, WriteTable: true},
	routes.Review: {ReadTable: true, WriteTable: true},
	// Customers reads and writes the table only: its welcome mail is an outbox item the notifier sends.
	routes.Customers: {ReadTable: true, WriteTable: true},
	// The notifier consumes the outbox stream, marks items sent (or schedules a retry) and sweeps
	// outbox items whose retry time has come every 5 minutes.
	routes.Notifier: {
		ReadTable: true, WriteTable: true, SendMail: true, ConsumeOutbox: true,
		Schedule: "rate(5 minutes)", Timeout: 30 * time.Second,
		Unseal: true, // opens an invitation mail's link just before sending; never seals
	},
	// Invitations seals the links it stores (the invitation mail, a replayable answer, the reusable
	// link) and opens the reusable link and stored answers to show them again.
	routes.Invitations: {ReadTable: true, WriteTable: true, Seal: true, Unseal: true},
	// Orders reads and writes the table only (its confirmation mail is an outbox item the notifier
	// sends). Its schedule is the fulfilment step: every minute it completes the pending orders.
	routes.Orders: {ReadTable: true, WriteTable: true, Schedule: "rate(1 minute)"},
	// The SLA check runs at 8:00 Eastern (13:00 UTC) on weekdays; it skips federal holidays itself.
	"sla": {ReadTable: true, WriteTable: true, Schedule: "cron(0 13 ? * MON-FRI *)"},
}

// FunctionNames returns the functions the stack deploys: those of routes.Functions(), then, sorted,
// those with a trigger of their own (the notifier is always one of them). It panics when a function
// lacks a spec, or a spec has neither a route nor a trigger (a stale entry).
func FunctionNames() []string {
	names := routes.Functions()
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	var extra []string
	for n, s := range Specs {
		if seen[n] {
			continue
		}
		if !s.ConsumeOutbox && s.Schedule == "" {
			panic(fmt.Sprintf("infra: Specs[%q] serves no route and has no trigger; remove it", n))
		}
		extra = append(extra, n)
	}
	sort.Strings(extra)
	names = append(names, extra...)
	for _, n := range names {
		if _, ok := Specs[n]; !ok {
			panic(fmt.Sprintf("infra: function %q serves routes but has no entry in infra.Specs "+
				"(say whether it reads/writes the table or sends mail)", n))
		}
	}
	if !Specs[routes.Notifier].ConsumeOutbox {
		panic("infra: Specs[routes.Notifier] must consume the outbox stream")
	}
	return names
}

// NewOnboardStack defines the whole application in one stack.
func NewOnboardStack(scope constructs.Construct, id string, props *StackProps) awscdk.Stack {
	var p StackProps
	if props != nil {
		p = *props
	}
	if p.AssetDir == "" {
		p.AssetDir = DefaultAssetDir
	}
	if p.MailDomain == "" {
		p.MailDomain = DefaultMailDomain
	}
	if p.ReviewTeamEmail == "" {
		p.ReviewTeamEmail = "usgcce-review@" + p.MailDomain
	}
	if p.StackProps.Description == nil {
		p.StackProps.Description = jsii.String("GCC Onboard: eligibility intake, review and mail (HTTP API, Lambda, DynamoDB, SES)")
	}
	names := FunctionNames()
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(p.AssetDir, n, "bootstrap")); err != nil {
			panic(fmt.Sprintf("infra: %s: build the functions first (make build), "+
				"or point context assetDir at a folder holding <function>/bootstrap", err))
		}
	}

	// The stack names its region (default DefaultRegion): a customer-managed key on a TableV2 can
	// only be rendered for a known region.
	if p.Env == nil {
		p.Env = &awscdk.Environment{}
	}
	if p.Env.Region == nil {
		p.Env.Region = jsii.String(DefaultRegion)
	}
	stack := awscdk.NewStack(scope, &id, &p.StackProps)

	// TableV2 (AWS::DynamoDB::GlobalTable) rather than Table: it is what the CDK recommends for new
	// tables, and a replica in a second region (disaster recovery) can be added later by changing
	// one property, whereas moving a retained Table to a global table means a retain-and-import
	// migration. In one region it costs the same and keeps every Table feature we use.
	// One customer-managed key encrypts the data at rest (the table, its stream, the DLQ): its use
	// is logged in CloudTrail and access to it is granted per function, unlike AWS-owned keys.
	dataKey := awskms.NewKey(stack, jsii.String("DataKey"), &awskms.KeyProps{
		Description:       jsii.String("GCC Onboard data at rest: the table, its stream and the mail DLQ"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	table := awsdynamodb.NewTableV2(stack, jsii.String("Table"), &awsdynamodb.TablePropsV2{
		Encryption:          awsdynamodb.TableEncryptionV2_CustomerManagedKey(dataKey, nil),
		PartitionKey:        &awsdynamodb.Attribute{Name: jsii.String("pk"), Type: awsdynamodb.AttributeType_STRING},
		SortKey:             &awsdynamodb.Attribute{Name: jsii.String("sk"), Type: awsdynamodb.AttributeType_STRING},
		Billing:             awsdynamodb.Billing_OnDemand(nil),
		DynamoStream:        awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES,
		TimeToLiveAttribute: jsii.String("ttl"),
		DeletionProtection:  jsii.Bool(true),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
		GlobalSecondaryIndexes: &[]*awsdynamodb.GlobalSecondaryIndexPropsV2{{
			IndexName:      jsii.String("gsi1"),
			PartitionKey:   &awsdynamodb.Attribute{Name: jsii.String("gsi1pk"), Type: awsdynamodb.AttributeType_STRING},
			SortKey:        &awsdynamodb.Attribute{Name: jsii.String("gsi1sk"), Type: awsdynamodb.AttributeType_STRING},
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		}},
	})

	identity := awsses.NewEmailIdentity(stack, jsii.String("MailIdentity"), &awsses.EmailIdentityProps{
		Identity: awsses.Identity_Domain(jsii.String(p.MailDomain)),
	})
	configSet := awsses.NewConfigurationSet(stack, jsii.String("MailConfigurationSet"), &awsses.ConfigurationSetProps{
		ReputationMetrics:  jsii.Bool(true),
		SuppressionReasons: awsses.SuppressionReasons_BOUNCES_AND_COMPLAINTS,
		TlsPolicy:          awsses.ConfigurationSetTlsPolicy_REQUIRE,
	})
	configSetArn := stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("ses"),
		Resource:     jsii.String("configuration-set"),
		ResourceName: configSet.ConfigurationSetName(),
	})

	pool, client := newStaffPool(stack)

	// The default stage is declared by hand because HttpApi's own default stage takes no
	// throttling settings.
	api := awsapigatewayv2.NewHttpApi(stack, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{
		Description:        jsii.String("GCC Onboard API"),
		CreateDefaultStage: jsii.Bool(false),
	})
	stage := awsapigatewayv2.NewHttpStage(stack, jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle:   &awsapigatewayv2.ThrottleSettings{RateLimit: jsii.Number(50), BurstLimit: jsii.Number(100)},
	})

	// The seal key is not the data key on purpose: every function that reads the table may use the
	// data key (DynamoDB decrypts with it on their behalf), while only the functions whose spec says
	// Seal or Unseal may use this one, and each only for that.
	sealKey := awskms.NewKey(stack, jsii.String("SealKey"), &awskms.KeyProps{
		Description:       jsii.String("GCC Onboard sealed values: invitation links stored in mail and answers"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})

	baseURL := p.PublicBaseURL
	if baseURL == "" {
		baseURL = *api.ApiEndpoint()
	}
	baseURL = strings.TrimSuffix(baseURL, "/")

	fns := map[string]awslambda.Function{}
	for _, name := range names {
		spec := Specs[name]
		env := map[string]*string{
			EnvTableName:       table.TableName(),
			EnvMailFrom:        jsii.String("no-reply@" + p.MailDomain),
			EnvReviewTeamEmail: jsii.String(p.ReviewTeamEmail),
			EnvPublicBaseURL:   jsii.String(baseURL),
		}
		if spec.SendMail {
			env[EnvConfigurationSet] = configSet.ConfigurationSetName()
		}
		if spec.Seal || spec.Unseal {
			env[EnvKMSKeyID] = sealKey.KeyArn()
		}
		fn := newFunction(stack, name, spec, filepath.Join(p.AssetDir, name), env)
		fns[name] = fn

		switch {
		case spec.ReadTable && spec.WriteTable:
			table.GrantReadWriteData(fn)
		case spec.ReadTable:
			table.GrantReadData(fn)
		case spec.WriteTable:
			table.GrantWriteData(fn)
		}
		if spec.SendMail {
			// SES v2 SendEmail authorizes against both the sending identity and the configuration
			// set. (In the SES sandbox it also checks each verified recipient identity; request
			// production access rather than widening this.)
			fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("ses:SendEmail"),
				Resources: &[]*string{identity.EmailIdentityArn(), configSetArn},
			}))
		}
		if spec.ConsumeOutbox {
			consumeOutbox(stack, name, fn, table, dataKey)
		}
		var sealActions []*string
		if spec.Seal {
			sealActions = append(sealActions, jsii.String("kms:Encrypt"))
		}
		if spec.Unseal {
			sealActions = append(sealActions, jsii.String("kms:Decrypt"))
		}
		if len(sealActions) > 0 {
			sealKey.Grant(fn, sealActions...)
		}
		if spec.Schedule != "" {
			awsevents.NewRule(stack, jsii.String(title(name)+"Schedule"), &awsevents.RuleProps{
				Description: jsii.String(fmt.Sprintf("Invokes %s on %s", name, spec.Schedule)),
				Schedule:    awsevents.Schedule_Expression(jsii.String(spec.Schedule)),
				Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
					RetryAttempts: jsii.Number(2),
				})},
			})
		}
	}

	// Auth decision: staff send their Cognito *ID* token as the bearer token. It carries
	// cognito:groups (the role) and custom:partner_id; an access token carries no custom attributes
	// unless a pre-token-generation trigger adds them, and that trigger (for access tokens) needs
	// the Essentials feature plan. The authorizer checks signature, expiry, issuer and that the
	// audience is our app client; the role check against the route's Roles is the handler's job
	// (an HTTP API JWT authorizer can check scopes, not groups).
	authorizer := awsapigatewayv2authorizers.NewHttpJwtAuthorizer(
		jsii.String("StaffJwt"),
		jsii.String("https://"+*pool.UserPoolProviderUrl()),
		&awsapigatewayv2authorizers.HttpJwtAuthorizerProps{
			AuthorizerName: jsii.String("staff-cognito-id-token"),
			IdentitySource: jsii.Strings("$request.header.Authorization"),
			JwtAudience:    &[]*string{client.UserPoolClientId()},
		})
	integrations := map[string]awsapigatewayv2integrations.HttpLambdaIntegration{}
	for _, r := range routes.All {
		integ, ok := integrations[r.Function]
		if !ok {
			// Payload format 2.0 (the default). Each route gets its own invoke permission, scoped
			// to that route; set ScopePermissionToRoute false if a function ever serves so many
			// routes that its resource policy nears Lambda's 20 KB limit.
			integ = awsapigatewayv2integrations.NewHttpLambdaIntegration(
				jsii.String(title(r.Function)+"Integration"), fns[r.Function], nil)
			integrations[r.Function] = integ
		}
		var auth awsapigatewayv2.IHttpRouteAuthorizer = awsapigatewayv2.NewHttpNoneAuthorizer()
		if !r.Public() {
			auth = authorizer
		}
		api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(r.Path),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod(r.Method)},
			Integration: integ,
			Authorizer:  auth,
		})
	}

	awscdk.NewCfnOutput(stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{Value: stage.Url()})
	awscdk.NewCfnOutput(stack, jsii.String("TableName"), &awscdk.CfnOutputProps{Value: table.TableName()})
	awscdk.NewCfnOutput(stack, jsii.String("UserPoolId"), &awscdk.CfnOutputProps{Value: pool.UserPoolId()})
	awscdk.NewCfnOutput(stack, jsii.String("UserPoolClientId"), &awscdk.CfnOutputProps{Value: client.UserPoolClientId()})
	return stack
}

// newFunction defines one Go Lambda with its own log group and its own role. The role starts
// empty (no AWSLambdaBasicExecutionRole, whose logs actions are on "*") and gets write access to
// this function's log group only; the caller adds the function's other rights.
func newFunction(stack awscdk.Stack, name string, spec FunctionSpec, assetDir string, env map[string]*string) awslambda.Function {
	id := title(name)
	logs := awslogs.NewLogGroup(stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_MONTH,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(stack, jsii.String(id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("GCC Onboard " + name + " function"),
	})
	logs.GrantWrite(role)

	memory, timeout := 256, 10*time.Second
	if spec.MemoryMB > 0 {
		memory = spec.MemoryMB
	}
	if spec.Timeout > 0 {
		timeout = spec.Timeout
	}
	// The bootstrap is built with -tags lambda.norpc: the provided.al2023 runtime talks to the
	// Runtime API, so aws-lambda-go's legacy net/rpc server is dead weight.
	fn := awslambda.NewFunction(stack, jsii.String(id+"Function"), &awslambda.FunctionProps{
		Description:   jsii.String(functionDescription(name)),
		Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:  awslambda.Architecture_ARM_64(),
		Handler:       jsii.String("bootstrap"),
		Code:          awslambda.Code_FromAsset(jsii.String(assetDir), nil),
		MemorySize:    jsii.Number(float64(memory)),
		Timeout:       awscdk.Duration_Seconds(jsii.Number(timeout.Seconds())),
		LoggingFormat: awslambda.LoggingFormat_JSON,
		LogGroup:      logs,
		Role:          role,
		Environment:   &env,
	})
	return fn
}

// consumeOutbox subscribes fn to the table's stream, filtered to pending outbox items, with a DLQ
// for records that still fail after the retries and an alarm as soon as the DLQ holds one.
func consumeOutbox(stack awscdk.Stack, name string, fn awslambda.Function, table awsdynamodb.TableV2, key awskms.IKey) {
	id := title(name)
	dlq := awssqs.NewQueue(stack, jsii.String(id+"Dlq"), &awssqs.QueueProps{
		Encryption:          awssqs.QueueEncryption_KMS,
		EncryptionMasterKey: key,
		EnforceSSL:          jsii.Bool(true),
		RetentionPeriod:     awscdk.Duration_Days(jsii.Number(14)),
	})
	// REMOVE events have no new image and so never match; INSERT and MODIFY are named anyway so
	// the filter reads as what it means.
	filter := awslambda.FilterCriteria_Filter(&map[string]interface{}{
		"eventName": awslambda.FilterRule_Or(jsii.String("INSERT"), jsii.String("MODIFY")),
		"dynamodb": map[string]interface{}{
			"NewImage": map[string]interface{}{
				"kind":   map[string]interface{}{"S": awslambda.FilterRule_IsEqual(jsii.String(OutboxKind))},
				"status": map[string]interface{}{"S": awslambda.FilterRule_IsEqual(jsii.String(OutboxPending))},
			},
		},
	})
	fn.AddEventSource(awslambdaeventsources.NewDynamoEventSource(table, &awslambdaeventsources.DynamoEventSourceProps{
		StartingPosition:        awslambda.StartingPosition_LATEST,
		BatchSize:               jsii.Number(10),
		BisectBatchOnError:      jsii.Bool(true),
		ReportBatchItemFailures: jsii.Bool(true),
		RetryAttempts:           jsii.Number(5),
		MaxRecordAge:            awscdk.Duration_Hours(jsii.Number(1)),
		OnFailure:               awslambdaeventsources.NewSqsDlq(dlq),
		Filters:                 &[]*map[string]interface{}{filter},
	}))
	// Lambda's stream poller needs dynamodb:ListStreams, an action IAM cannot scope to a
	// resource: it must be on "*". TableV2's grantStreamRead (CDK 2.224) puts it on the stream
	// ARN, where it grants nothing (aws/aws-cdk#34575), hence this statement. It lists stream
	// ARNs only; reading a stream still needs the stream-scoped actions granted above.
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("dynamodb:ListStreams"),
		Resources: jsii.Strings("*"),
	}))
	awscloudwatch.NewAlarm(stack, jsii.String(id+"DlqAlarm"), &awscloudwatch.AlarmProps{
		AlarmDescription: jsii.String("Stream records the " + name + " could not process are in its DLQ"),
		Metric: dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Period:    awscdk.Duration_Minutes(jsii.Number(1)),
			Statistic: jsii.String("Maximum"),
		}),
		Threshold:          jsii.Number(0),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
}

// newStaffPool defines the staff user pool (one group per staff role) and its app client.
func newStaffPool(stack awscdk.Stack) (awscognito.UserPool, awscognito.UserPoolClient) {
	pool := awscognito.NewUserPool(stack, jsii.String("StaffPool"), &awscognito.UserPoolProps{
		// Lite: nothing here needs Essentials (see the auth decision in NewOnboardStack).
		FeaturePlan:       awscognito.FeaturePlan_LITE,
		SelfSignUpEnabled: jsii.Bool(false),
		SignInAliases:     &awscognito.SignInAliases{Email: jsii.Bool(true)},
		AutoVerify:        &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(true)},
		StandardAttributes: &awscognito.StandardAttributes{
			Email: &awscognito.StandardAttribute{Required: jsii.Bool(true), Mutable: jsii.Bool(true)},
		},
		// partner_id is set once, by an administrator creating the user, and never changes.
		CustomAttributes: &map[string]awscognito.ICustomAttribute{
			"partner_id": awscognito.NewStringAttribute(&awscognito.StringAttributeProps{
				Mutable: jsii.Bool(false), MinLen: jsii.Number(36), MaxLen: jsii.Number(36),
			}),
		},
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength:            jsii.Number(14),
			RequireLowercase:     jsii.Bool(true),
			RequireUppercase:     jsii.Bool(true),
			RequireDigits:        jsii.Bool(true),
			RequireSymbols:       jsii.Bool(true),
			TempPasswordValidity: awscdk.Duration_Days(jsii.Number(3)),
		},
		Mfa:                awscognito.Mfa_OPTIONAL,
		MfaSecondFactor:    &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		AccountRecovery:    awscognito.AccountRecovery_EMAIL_ONLY,
		DeletionProtection: jsii.Bool(true),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN,
	})
	for _, role := range []onboard.Role{onboard.RoleAdminAgent, onboard.RoleSalesAgent, onboard.RoleEligibilityReviewer} {
		awscognito.NewUserPoolGroup(stack, jsii.String(title(string(role))+"Group"), &awscognito.UserPoolGroupProps{
			UserPool:  pool,
			GroupName: jsii.String(string(role)),
		})
	}
	// A public client (no secret): SRP for scripts and SDKs, the authorization-code flow (Cognito
	// enforces PKCE when the request carries a code_challenge) for a browser or a CLI with a
	// loopback redirect (RFC 8252). The hosted sign-in pages need a user-pool domain, which is
	// added when a browser sign-in is wanted. Users may change their name, never partner_id.
	client := pool.AddClient(jsii.String("StaffClient"), &awscognito.UserPoolClientOptions{
		GenerateSecret:             jsii.Bool(false),
		AuthFlows:                  &awscognito.AuthFlow{UserSrp: jsii.Bool(true)},
		PreventUserExistenceErrors: jsii.Bool(true),
		EnableTokenRevocation:      jsii.Bool(true),
		IdTokenValidity:            awscdk.Duration_Hours(jsii.Number(1)),
		AccessTokenValidity:        awscdk.Duration_Hours(jsii.Number(1)),
		RefreshTokenValidity:       awscdk.Duration_Hours(jsii.Number(12)),
		OAuth: &awscognito.OAuthSettings{
			Flows:        &awscognito.OAuthFlows{AuthorizationCodeGrant: jsii.Bool(true)},
			Scopes:       &[]awscognito.OAuthScope{awscognito.OAuthScope_OPENID(), awscognito.OAuthScope_EMAIL(), awscognito.OAuthScope_PROFILE()},
			CallbackUrls: jsii.Strings("http://localhost:8400/callback"),
			LogoutUrls:   jsii.Strings("http://localhost:8400/"),
		},
		WriteAttributes: awscognito.NewClientAttributes().WithStandardAttributes(&awscognito.StandardAttributesMask{
			Fullname: jsii.Bool(true),
		}),
	})
	return pool, client
}

// functionDescription is a function's Description; the tests find each function by it.
func functionDescription(name string) string { return "GCC Onboard " + name }

// title turns a function or role name into a construct ID part: "sla-reminder" → "SlaReminder".
func title(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' }) {
		rs := []rune(part)
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	return b.String()
}
