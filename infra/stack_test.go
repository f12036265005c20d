package infra

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gcconboard/gcconboard/shared/routes"
	"github.com/gcconboard/gcconboard/shared/store"
)

// The stack is synthesized once (jsii makes each synthesis cost seconds) and shared by the tests.
var fixture struct {
	once sync.Once
	tmpl assertions.Template
	json map[string]any
	err  any
}

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// template returns the stack synthesized with cdk.json's context (so the feature flags match a
// real `cdk synth`) and a dummy bootstrap for every function.
func template(t *testing.T) (assertions.Template, map[string]any) {
	t.Helper()
	fixture.once.Do(func() {
		defer func() { fixture.err = recover() }()
		assets, err := os.MkdirTemp("", "gcconboard-assets-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(assets)
		for _, fn := range FunctionNames() {
			if err := os.MkdirAll(filepath.Join(assets, fn), 0o755); err != nil {
				panic(err)
			}
			if err := os.WriteFile(filepath.Join(assets, fn, "bootstrap"), []byte("dummy "+fn), 0o755); err != nil {
				panic(err)
			}
		}
		app := awscdk.NewApp(&awscdk.AppProps{Context: cdkJSONContext()})
		stack := NewOnboardStack(app, "GccOnboard", &StackProps{AssetDir: assets})
		fixture.tmpl = assertions.Template_FromStack(stack, nil)
		fixture.json = *fixture.tmpl.ToJSON()
	})
	if fixture.err != nil {
		t.Fatalf("synthesize: %v", fixture.err)
	}
	return fixture.tmpl, fixture.json
}

// cdkJSONContext is the "context" object of the repository's cdk.json.
func cdkJSONContext() *map[string]any {
	b, err := os.ReadFile(filepath.Join("..", "cdk.json"))
	if err != nil {
		panic(err)
	}
	var cfg struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		panic(fmt.Sprintf("cdk.json: %v", err))
	}
	return &cfg.Context
}

// assert runs an assertions call, which panics on failure, and reports the panic as an error.
func assert(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	f()
}

type obj = map[string]any

func like(m obj) assertions.Matcher { return assertions.Match_ObjectLike(&m) }

func arrayWith(items ...any) assertions.Matcher { return assertions.Match_ArrayWith(&items) }

// resources returns the template's resources of type typ, by logical ID.
func resources(tmpl map[string]any, typ string) map[string]obj {
	out := map[string]obj{}
	for id, r := range tmpl["Resources"].(obj) {
		if r := r.(obj); r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

func props(r obj) obj {
	p, _ := r["Properties"].(obj)
	return p
}

// ref returns the logical ID in {"Ref": id} or {"Fn::GetAtt": [id, attr]}; "" otherwise.
func ref(v any) string {
	m, ok := v.(obj)
	if !ok {
		return ""
	}
	if id, ok := m["Ref"].(string); ok {
		return id
	}
	if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
		id, _ := ga[0].(string)
		return id
	}
	return ""
}

// functionIDs maps each function name to its AWS::Lambda::Function logical ID.
func functionIDs(t *testing.T, tmpl map[string]any) map[string]string {
	t.Helper()
	byDesc := map[string]string{}
	for _, name := range FunctionNames() {
		byDesc[functionDescription(name)] = name
	}
	out := map[string]string{}
	for id, r := range resources(tmpl, "AWS::Lambda::Function") {
		name, ok := byDesc[fmt.Sprint(props(r)["Description"])]
		if !ok {
			t.Errorf("Lambda %s (%v) is not one of FunctionNames()", id, props(r)["Description"])
			continue
		}
		out[name] = id
	}
	return out
}

// roleFunctions maps each function role's logical ID to the function name.
func roleFunctions(t *testing.T, tmpl map[string]any) map[string]string {
	out := map[string]string{}
	fns := resources(tmpl, "AWS::Lambda::Function")
	for name, id := range functionIDs(t, tmpl) {
		out[ref(props(fns[id])["Role"])] = name
	}
	return out
}

func TestFunctionNames(t *testing.T) {
	got := FunctionNames()
	want := append(routes.Functions(), routes.Notifier)
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("FunctionNames() = %v, missing %q", got, w)
		}
	}
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g] {
			t.Errorf("FunctionNames() = %v: %q twice", got, g)
		}
		seen[g] = true
	}
}

func TestFunctionNames_ErrSpecMissing(t *testing.T) {
	fn := routes.Functions()[0]
	saved := Specs[fn]
	delete(Specs, fn)
	defer func() { Specs[fn] = saved }()

	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), fn) {
			t.Errorf("recovered %v, want a panic naming %q", r, fn)
		}
	}()
	FunctionNames()
}

func TestFunctionNames_ErrStaleSpec(t *testing.T) {
	Specs["gone"] = FunctionSpec{ReadTable: true}
	defer delete(Specs, "gone")

	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "gone") {
			t.Errorf("recovered %v, want a panic naming the stale entry", r)
		}
	}()
	FunctionNames()
}

func TestNewOnboardStack_ErrAssetMissing(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "bootstrap") {
			t.Errorf("recovered %v, want a panic naming the missing bootstrap", r)
		}
	}()
	NewOnboardStack(awscdk.NewApp(nil), "Missing", &StackProps{AssetDir: t.TempDir()})
}

func TestTable(t *testing.T) {
	tmpl, _ := template(t)
	typ := jsii.String("AWS::DynamoDB::GlobalTable")
	assert(t, "one table", func() { tmpl.ResourceCountIs(typ, jsii.Number(1)) })
	assert(t, "table properties", func() {
		tmpl.HasResourceProperties(typ, like(obj{
			"KeySchema": []any{
				obj{"AttributeName": "pk", "KeyType": "HASH"},
				obj{"AttributeName": "sk", "KeyType": "RANGE"},
			},
			"AttributeDefinitions": arrayWith(
				obj{"AttributeName": "pk", "AttributeType": "S"},
				obj{"AttributeName": "sk", "AttributeType": "S"},
			),
			"BillingMode":             "PAY_PER_REQUEST",
			"StreamSpecification":     obj{"StreamViewType": "NEW_AND_OLD_IMAGES"},
			"TimeToLiveSpecification": obj{"AttributeName": "ttl", "Enabled": true},
			"Replicas": []any{like(obj{
				"DeletionProtectionEnabled":        true,
				"PointInTimeRecoverySpecification": obj{"PointInTimeRecoveryEnabled": true},
			})},
			"GlobalSecondaryIndexes": []any{obj{
				"IndexName": "gsi1",
				"KeySchema": []any{
					obj{"AttributeName": "gsi1pk", "KeyType": "HASH"},
					obj{"AttributeName": "gsi1sk", "KeyType": "RANGE"},
				},
				"Projection": obj{"ProjectionType": "ALL"},
			}},
		}))
	})
	assert(t, "table retained", func() {
		tmpl.HasResource(typ, like(obj{"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}))
	})
}

func TestFunctions(t *testing.T) {
	tmpl, js := template(t)
	names := FunctionNames()
	assert(t, "one Lambda per function", func() {
		tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(float64(len(names))))
	})
	ids := functionIDs(t, js)
	fns := resources(js, "AWS::Lambda::Function")
	logGroups := resources(js, "AWS::Logs::LogGroup")
	roles := resources(js, "AWS::IAM::Role")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			id, ok := ids[name]
			if !ok {
				t.Fatalf("no Lambda for %q", name)
			}
			p := props(fns[id])
			want := obj{
				"Runtime": "provided.al2023", "Handler": "bootstrap",
				"MemorySize": 256.0, "Timeout": 10.0,
			}
			if name == routes.Notifier {
				want["Timeout"] = 30.0
			}
			for k, w := range want {
				if got := p[k]; got != w {
					t.Errorf("%s = %v, want %v", k, got, w)
				}
			}
			if got := fmt.Sprint(p["Architectures"]); got != "[arm64]" {
				t.Errorf("Architectures = %s, want [arm64]", got)
			}
			lc, _ := p["LoggingConfig"].(obj)
			if lc["LogFormat"] != "JSON" {
				t.Errorf("LoggingConfig.LogFormat = %v, want JSON", lc["LogFormat"])
			}
			lg, ok := logGroups[ref(lc["LogGroup"])]
			if !ok {
				t.Errorf("LoggingConfig.LogGroup = %v, want a log group of the stack", lc["LogGroup"])
			} else if got := props(lg)["RetentionInDays"]; got != 30.0 {
				t.Errorf("log group retention = %v, want 30", got)
			}
			role, ok := roles[ref(p["Role"])]
			if !ok {
				t.Errorf("Role = %v, want a role of the stack", p["Role"])
			} else if mp := props(role)["ManagedPolicyArns"]; mp != nil {
				t.Errorf("role has managed policies %v, want only its scoped inline policy", mp)
			}

			vars, _ := p["Environment"].(obj)["Variables"].(obj)
			for _, k := range []string{EnvTableName, EnvMailFrom, EnvReviewTeamEmail, EnvPublicBaseURL} {
				if _, ok := vars[k]; !ok {
					t.Errorf("env %s missing", k)
				}
			}
			if got := ref(vars[EnvTableName]); got != onlyKey(t, resources(js, "AWS::DynamoDB::GlobalTable")) {
				t.Errorf("TABLE_NAME = %v, want the table", vars[EnvTableName])
			}
			if got := vars[EnvMailFrom]; got != "no-reply@"+DefaultMailDomain {
				t.Errorf("MAIL_FROM = %v", got)
			}
			if got := vars[EnvReviewTeamEmail]; got != "usgcce-review@"+DefaultMailDomain {
				t.Errorf("REVIEW_TEAM_EMAIL = %v", got)
			}
			_, hasCS := vars[EnvConfigurationSet]
			if hasCS != Specs[name].SendMail {
				t.Errorf("has %s = %v, want %v (only mail senders)", EnvConfigurationSet, hasCS, Specs[name].SendMail)
			}
		})
	}
	assert(t, "log groups", func() {
		tmpl.ResourceCountIs(jsii.String("AWS::Logs::LogGroup"), jsii.Number(float64(len(names))))
	})
}

func onlyKey(t *testing.T, m map[string]obj) string {
	t.Helper()
	if len(m) != 1 {
		t.Fatalf("want exactly one, got %d", len(m))
	}
	for k := range m {
		return k
	}
	return ""
}

func TestRoutes(t *testing.T) {
	tmpl, js := template(t)
	assert(t, "one API route per route of routes.All", func() {
		tmpl.ResourceCountIs(jsii.String("AWS::ApiGatewayV2::Route"), jsii.Number(float64(len(routes.All))))
	})
	authorizer := onlyKey(t, resources(js, "AWS::ApiGatewayV2::Authorizer"))
	integrations := resources(js, "AWS::ApiGatewayV2::Integration")
	fnIDs := functionIDs(t, js)
	byKey := map[string][]obj{}
	for _, r := range resources(js, "AWS::ApiGatewayV2::Route") {
		byKey[fmt.Sprint(props(r)["RouteKey"])] = append(byKey[fmt.Sprint(props(r)["RouteKey"])], props(r))
	}
	for _, r := range routes.All {
		key := r.Method + " " + r.Path
		t.Run(key, func(t *testing.T) {
			got := byKey[key]
			if len(got) != 1 {
				t.Fatalf("%d routes with RouteKey %q, want 1", len(got), key)
			}
			p := got[0]
			if r.Public() {
				if p["AuthorizationType"] != "NONE" || p["AuthorizerId"] != nil {
					t.Errorf("public route: AuthorizationType %v, AuthorizerId %v; want NONE and none", p["AuthorizationType"], p["AuthorizerId"])
				}
			} else if p["AuthorizationType"] != "JWT" || ref(p["AuthorizerId"]) != authorizer {
				t.Errorf("route with roles %v: AuthorizationType %v, AuthorizerId %v; want JWT and %s", r.Roles, p["AuthorizationType"], p["AuthorizerId"], authorizer)
			}
			// Target is {"Fn::Join": ["", ["integrations/", {"Ref": integration}]]}.
			parts := p["Target"].(obj)["Fn::Join"].([]any)[1].([]any)
			integ, ok := integrations[ref(parts[1])]
			if !ok {
				t.Fatalf("Target %v is not an integration", p["Target"])
			}
			ip := props(integ)
			if got, want := ref(ip["IntegrationUri"]), fnIDs[r.Function]; got != want {
				t.Errorf("integrated with %s, want %s (%s)", got, want, r.Function)
			}
			if ip["IntegrationType"] != "AWS_PROXY" || ip["PayloadFormatVersion"] != "2.0" {
				t.Errorf("integration %v/%v, want AWS_PROXY/2.0", ip["IntegrationType"], ip["PayloadFormatVersion"])
			}
		})
	}
}

func TestAuthorizer(t *testing.T) {
	tmpl, js := template(t)
	pool := onlyKey(t, resources(js, "AWS::Cognito::UserPool"))
	client := onlyKey(t, resources(js, "AWS::Cognito::UserPoolClient"))
	assert(t, "JWT authorizer", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Authorizer"), like(obj{
			"AuthorizerType": "JWT",
			"IdentitySource": []any{"$request.header.Authorization"},
			"JwtConfiguration": obj{
				"Audience": []any{obj{"Ref": client}},
				"Issuer": obj{"Fn::Join": []any{"", []any{
					"https://", obj{"Fn::GetAtt": []any{pool, "ProviderURL"}},
				}}},
			},
		}))
	})
}

func TestStage(t *testing.T) {
	tmpl, _ := template(t)
	assert(t, "default stage throttling", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Stage"), like(obj{
			"StageName":            "$default",
			"AutoDeploy":           true,
			"DefaultRouteSettings": obj{"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100},
		}))
	})
	assert(t, "no CORS", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Api"), like(obj{
			"ProtocolType":      "HTTP",
			"CorsConfiguration": assertions.Match_Absent(),
		}))
	})
}

func TestOutboxStream(t *testing.T) {
	tmpl, js := template(t)
	table := onlyKey(t, resources(js, "AWS::DynamoDB::GlobalTable"))
	dlq := onlyKey(t, resources(js, "AWS::SQS::Queue"))
	notifier := functionIDs(t, js)[routes.Notifier]
	assert(t, "one event source mapping", func() {
		tmpl.ResourceCountIs(jsii.String("AWS::Lambda::EventSourceMapping"), jsii.Number(1))
	})
	assert(t, "notifier consumes the stream", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), like(obj{
			"FunctionName":               obj{"Ref": notifier},
			"EventSourceArn":             obj{"Fn::GetAtt": []any{table, "StreamArn"}},
			"StartingPosition":           "LATEST",
			"BatchSize":                  10,
			"BisectBatchOnFunctionError": true,
			"FunctionResponseTypes":      []any{"ReportBatchItemFailures"},
			"MaximumRetryAttempts":       5,
			"MaximumRecordAgeInSeconds":  3600,
			"DestinationConfig":          obj{"OnFailure": obj{"Destination": obj{"Fn::GetAtt": []any{dlq, "Arn"}}}},
			"FilterCriteria": obj{"Filters": []any{obj{"Pattern": assertions.Match_SerializedJson(obj{
				"eventName": []any{"INSERT", "MODIFY"},
				"dynamodb": obj{"NewImage": obj{
					"kind":   obj{"S": []any{OutboxKind}},
					"status": obj{"S": []any{OutboxPending}},
				}},
			})}}},
		}))
	})
	assert(t, "DLQ", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), like(obj{
			"KmsMasterKeyId":         obj{"Fn::GetAtt": []any{dataKeyID(t, js), "Arn"}},
			"MessageRetentionPeriod": 14 * 24 * 3600,
		}))
	})
	assert(t, "DLQ alarm", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), like(obj{
			"Namespace":          "AWS/SQS",
			"MetricName":         "ApproximateNumberOfMessagesVisible",
			"Dimensions":         []any{obj{"Name": "QueueName", "Value": obj{"Fn::GetAtt": []any{dlq, "QueueName"}}}},
			"ComparisonOperator": "GreaterThanThreshold",
			"Threshold":          0,
		}))
	})
}

func TestSchedule(t *testing.T) {
	tmpl, js := template(t)
	notifier := functionIDs(t, js)[routes.Notifier]
	assert(t, "notifier sweep every 5 minutes", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), like(obj{
			"ScheduleExpression": "rate(5 minutes)",
			"State":              "ENABLED",
			"Targets":            []any{like(obj{"Arn": obj{"Fn::GetAtt": []any{notifier, "Arn"}}})},
		}))
	})
	assert(t, "SLA check on weekday mornings", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), like(obj{
			"ScheduleExpression": "cron(0 13 ? * MON-FRI *)",
			"Targets":            []any{like(obj{"Arn": obj{"Fn::GetAtt": []any{functionIDs(t, js)["sla"], "Arn"}}})},
		}))
	})
	assert(t, "EventBridge may invoke the notifier", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), like(obj{
			"Principal":    "events.amazonaws.com",
			"FunctionName": obj{"Fn::GetAtt": []any{notifier, "Arn"}},
		}))
	})
}

func TestCognito(t *testing.T) {
	tmpl, js := template(t)
	assert(t, "user pool", func() {
		tmpl.HasResource(jsii.String("AWS::Cognito::UserPool"), like(obj{
			"DeletionPolicy": "Retain",
			"Properties": like(obj{
				"AdminCreateUserConfig": obj{"AllowAdminCreateUserOnly": true},
				"UsernameAttributes":    []any{"email"},
				"MfaConfiguration":      "OPTIONAL",
				"EnabledMfas":           []any{"SOFTWARE_TOKEN_MFA"},
				"Policies": obj{"PasswordPolicy": like(obj{
					"RequireLowercase": true, "RequireUppercase": true,
					"RequireNumbers": true, "RequireSymbols": true,
				})},
				"Schema": arrayWith(like(obj{"Name": "partner_id", "AttributeDataType": "String", "Mutable": false})),
			}),
		}))
	})
	for _, g := range []string{"admin_agent", "sales_agent", "eligibility_reviewer"} {
		assert(t, "group "+g, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolGroup"), like(obj{"GroupName": g}))
		})
	}
	assert(t, "three groups", func() {
		tmpl.ResourceCountIs(jsii.String("AWS::Cognito::UserPoolGroup"), jsii.Number(3))
	})
	assert(t, "app client", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolClient"), like(obj{
			"GenerateSecret":    false,
			"ExplicitAuthFlows": arrayWith("ALLOW_USER_SRP_AUTH"),
			"AllowedOAuthFlows": []any{"code"},
		}))
	})
	for _, c := range resources(js, "AWS::Cognito::UserPoolClient") {
		if s := fmt.Sprint(props(c)["WriteAttributes"]); strings.Contains(s, "partner_id") {
			t.Errorf("client may write %s", s)
		}
	}
}

func TestMail(t *testing.T) {
	tmpl, _ := template(t)
	assert(t, "domain identity", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::SES::EmailIdentity"), like(obj{"EmailIdentity": DefaultMailDomain}))
	})
	assert(t, "configuration set", func() {
		tmpl.ResourceCountIs(jsii.String("AWS::SES::ConfigurationSet"), jsii.Number(1))
	})
}

func TestOutputs(t *testing.T) {
	tmpl, _ := template(t)
	for _, o := range []string{"ApiUrl", "TableName", "UserPoolId", "UserPoolClientId"} {
		assert(t, "output "+o, func() { tmpl.HasOutput(jsii.String(o), assertions.Match_AnyValue()) })
	}
}

// unscopable are the actions IAM cannot limit to a resource, so Resource "*" is allowed for them.
var unscopable = map[string]string{
	"dynamodb:ListStreams": "no resource type in IAM; Lambda's stream poller calls it",
}

// policyProblems lists what breaks least privilege in a template's IAM policies: wildcard
// actions, NotAction/NotResource, Resource "*" for scopable actions, and managed policies on roles.
var kmsFamilies = map[string]bool{"kms:GenerateDataKey*": true, "kms:ReEncrypt*": true}

func policyProblems(tmpl map[string]any) []string {
	var out []string
	check := func(where string, doc any) {
		stmts, _ := doc.(obj)["Statement"].([]any)
		for i, s := range stmts {
			s := s.(obj)
			at := fmt.Sprintf("%s statement %d", where, i)
			if s["Effect"] != "Allow" {
				continue
			}
			if s["NotAction"] != nil || s["NotResource"] != nil {
				out = append(out, at+": NotAction/NotResource")
			}
			actions := strings1(s["Action"])
			for _, a := range actions {
				// The one allowed exception: the KMS action families that AWS's own key policy for
				// DynamoDB encryption names (and the CDK's key grants copy), on a named key only.
				if kmsFamilies[a] && !slices.Contains(anys(s["Resource"]), any("*")) {
					continue
				}
				if strings.Contains(a, "*") {
					out = append(out, fmt.Sprintf("%s: wildcard action %q", at, a))
				}
			}
			for _, r := range anys(s["Resource"]) {
				if r != "*" {
					continue
				}
				for _, a := range actions {
					if _, ok := unscopable[a]; !ok {
						out = append(out, fmt.Sprintf("%s: %s on Resource \"*\"", at, a))
					}
				}
			}
		}
	}
	for id, p := range resources(tmpl, "AWS::IAM::Policy") {
		check(id, props(p)["PolicyDocument"])
	}
	for id, r := range resources(tmpl, "AWS::IAM::Role") {
		if mp := props(r)["ManagedPolicyArns"]; mp != nil {
			out = append(out, fmt.Sprintf("%s: managed policies %v", id, mp))
		}
		for _, p := range anys(props(r)["Policies"]) {
			check(id, p.(obj)["PolicyDocument"])
		}
	}
	sort.Strings(out)
	return out
}

func anys(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func strings1(v any) []string {
	var out []string
	for _, a := range anys(v) {
		out = append(out, fmt.Sprint(a))
	}
	return out
}

// actionsByFunction returns, for each function, the actions its role's policies allow, each with
// the JSON of the statement's resources.
func actionsByFunction(t *testing.T, tmpl map[string]any) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	roleFn := roleFunctions(t, tmpl)
	for id, p := range resources(tmpl, "AWS::IAM::Policy") {
		for _, role := range anys(props(p)["Roles"]) {
			fn, ok := roleFn[ref(role)]
			if !ok {
				t.Errorf("policy %s is attached to %v, not a function's role", id, role)
				continue
			}
			if out[fn] == nil {
				out[fn] = map[string][]string{}
			}
			for _, s := range anys(props(p)["PolicyDocument"].(obj)["Statement"]) {
				res, _ := json.Marshal(s.(obj)["Resource"])
				for _, a := range strings1(s.(obj)["Action"]) {
					out[fn][a] = append(out[fn][a], string(res))
				}
			}
		}
	}
	return out
}

func TestLeastPrivilege(t *testing.T) {
	_, js := template(t)
	for _, p := range policyProblems(js) {
		t.Error(p)
	}
	actions := actionsByFunction(t, js)
	for _, name := range FunctionNames() {
		spec, got := Specs[name], actions[name]
		has := func(a string) bool { _, ok := got[a]; return ok }
		checks := []struct {
			action string
			want   bool
		}{
			{"dynamodb:GetItem", spec.ReadTable},
			{"dynamodb:Query", spec.ReadTable},
			{"dynamodb:PutItem", spec.WriteTable},
			{"dynamodb:UpdateItem", spec.WriteTable},
			{"dynamodb:DescribeStream", spec.ConsumeOutbox},
			{"dynamodb:ListStreams", spec.ConsumeOutbox},
			{"sqs:SendMessage", spec.ConsumeOutbox},
			{"ses:SendEmail", spec.SendMail},
			{"ses:SendRawEmail", false},
			{"logs:PutLogEvents", true},
		}
		for _, c := range checks {
			if has(c.action) != c.want {
				t.Errorf("%s: allowed %s = %v, want %v", name, c.action, has(c.action), c.want)
			}
		}
		for _, res := range got["ses:SendEmail"] {
			if !strings.Contains(res, ":identity/") || !strings.Contains(res, ":configuration-set/") || strings.Count(res, "Fn::Join") != 2 {
				t.Errorf("%s: ses:SendEmail on %s, want exactly the identity and the configuration set", name, res)
			}
		}
	}
	if !Specs[routes.Notifier].SendMail {
		t.Error("the notifier must send mail")
	}
	for name, spec := range Specs {
		if spec.SendMail && name != routes.Notifier {
			t.Errorf("%s sends mail: only the notifier should (others write outbox items)", name)
		}
	}
}

// TestPolicyProblems checks the checker itself on a policy that breaks every rule.
func TestPolicyProblems(t *testing.T) {
	bad := obj{"Resources": obj{
		"P": obj{"Type": "AWS::IAM::Policy", "Properties": obj{"PolicyDocument": obj{"Statement": []any{
			obj{"Effect": "Allow", "Action": "*", "Resource": "arn:x"},
			obj{"Effect": "Allow", "Action": []any{"dynamodb:*", "ses:*"}, "Resource": "arn:x"},
			obj{"Effect": "Allow", "Action": []any{"dynamodb:ListStreams", "dynamodb:GetItem"}, "Resource": "*"},
			obj{"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:x"},
		}}}},
		"R": obj{"Type": "AWS::IAM::Role", "Properties": obj{"ManagedPolicyArns": []any{"arn:aws:iam::aws:policy/AdministratorAccess"}}},
	}}
	got := policyProblems(bad)
	for _, want := range []string{`"*"`, `"dynamodb:*"`, `"ses:*"`, `dynamodb:GetItem on Resource "*"`, "NotAction", "managed policies"} {
		found := false
		for _, g := range got {
			found = found || strings.Contains(g, want)
		}
		if !found {
			t.Errorf("policyProblems missed %s; got %q", want, got)
		}
	}
	for _, g := range got {
		if strings.Contains(g, "ListStreams on") {
			t.Errorf("dynamodb:ListStreams on \"*\" is allowed, got %q", g)
		}
	}
}

// dataKeyID is the logical ID of the customer-managed data key.
func dataKeyID(t *testing.T, tmpl map[string]any) string {
	t.Helper()
	for id := range resources(tmpl, "AWS::KMS::Key") {
		if strings.HasPrefix(id, "DataKey") {
			return id
		}
	}
	t.Fatal("no DataKey")
	return ""
}

func TestDataKey(t *testing.T) {
	tmpl, js := template(t)
	key := dataKeyID(t, js)
	assert(t, "data key rotates and is retained", func() {
		tmpl.HasResource(jsii.String("AWS::KMS::Key"), like(obj{"DeletionPolicy": "Retain",
			"Properties": like(obj{"EnableKeyRotation": true})}))
	})
	assert(t, "table encrypted with the data key", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::DynamoDB::GlobalTable"), like(obj{
			"SSESpecification": like(obj{"SSEEnabled": true, "SSEType": "KMS"}),
			"Replicas":         []any{like(obj{"SSESpecification": obj{"KMSMasterKeyId": obj{"Fn::GetAtt": []any{key, "Arn"}}}})},
		}))
	})
}

// sealKeyID is the logical ID of the key that seals stored secrets (invitation links).
func sealKeyID(t *testing.T, tmpl map[string]any) string {
	t.Helper()
	for id := range resources(tmpl, "AWS::KMS::Key") {
		if strings.HasPrefix(id, "SealKey") {
			return id
		}
	}
	t.Fatal("no SealKey")
	return ""
}

func TestSealKey(t *testing.T) {
	tmpl, js := template(t)
	key := sealKeyID(t, js)
	if key == dataKeyID(t, js) {
		t.Fatal("the seal key is the data key: every table reader could unseal")
	}
	if p := resources(js, "AWS::KMS::Key")[key]; p["DeletionPolicy"] != "Retain" || p["UpdateReplacePolicy"] != "Retain" ||
		props(p)["EnableKeyRotation"] != true {
		t.Errorf("seal key = %v, want retained and rotated", p)
	}
	assert(t, "two customer-managed keys", func() {
		tmpl.ResourceCountIs(jsii.String("AWS::KMS::Key"), jsii.Number(2))
	})
	// Exactly what each function may do with the seal key: invitations seals and opens, the
	// notifier only opens, nobody else anything.
	want := map[string][]string{routes.Invitations: {"kms:Decrypt", "kms:Encrypt"}, routes.Notifier: {"kms:Decrypt"}}
	fns := functionIDs(t, js)
	for name, actions := range actionsByFunction(t, js) {
		var got []string
		for a, res := range actions {
			for _, r := range res {
				if strings.Contains(r, `"`+key+`"`) {
					if r != `{"Fn::GetAtt":["`+key+`","Arn"]}` {
						t.Errorf("%s: %s on %s, want on the seal key only", name, a, r)
					}
					got = append(got, a)
				}
			}
		}
		sort.Strings(got)
		if !slices.Equal(got, want[name]) {
			t.Errorf("%s may %v with the seal key, want %v", name, got, want[name])
		}
	}
	for name, id := range fns {
		vars, _ := props(resources(js, "AWS::Lambda::Function")[id])["Environment"].(obj)["Variables"].(obj)
		v, has := vars[EnvKMSKeyID]
		if has != (want[name] != nil) {
			t.Errorf("%s: has %s = %v, want %v", name, EnvKMSKeyID, has, want[name] != nil)
		}
		if has && fmt.Sprint(v) != fmt.Sprint(obj{"Fn::GetAtt": []any{key, "Arn"}}) {
			t.Errorf("%s: %s = %v, want the seal key's ARN", name, EnvKMSKeyID, v)
		}
	}
	// The grants live in the functions' own policies; the key policy names no function role.
	policy, _ := json.Marshal(props(resources(js, "AWS::KMS::Key")[key])["KeyPolicy"])
	for role, name := range roleFunctions(t, js) {
		if strings.Contains(string(policy), `"`+role+`"`) {
			t.Errorf("the seal key's policy names %s's role", name)
		}
	}
}

// TestTableTTL ties the table's TTL attribute to the one the store writes, which is how expired
// invitation pointers and idempotency records leave the table.
func TestTableTTL(t *testing.T) {
	tmpl, _ := template(t)
	assert(t, "TTL on the store's attribute", func() {
		tmpl.HasResourceProperties(jsii.String("AWS::DynamoDB::GlobalTable"), like(obj{
			"TimeToLiveSpecification": obj{"AttributeName": store.AttrTTL, "Enabled": true},
		}))
	})
}
