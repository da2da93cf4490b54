package cost

// Prices are list prices in US dollars, on demand, without the free tier
// (an account's free tier is shared with whatever else runs in it; what it
// would absorb is noted where make cost prints it).
type Prices struct {
	Region, Recorded string
	Sources          []string

	LambdaGBSecondArm, LambdaGBSecondX86, LambdaPerMillionRequests float64
	// DynamoDB on demand (standard table class).
	DynamoPerMillionWRU, DynamoPerMillionRRU, DynamoGBMonth float64
	SESPerThousandSent, SESPerThousandReceived              float64
	SESPerThousandReceivedChunks                            float64 // each 256 KB of a received message
	S3GBMonth, S3PerThousandPuts, S3PerThousandGets         float64
	SchedulerPerMillion                                     float64
	SQSPerMillionRequests                                   float64
	EventBridgePerMillionEvents                             float64
	HTTPAPIPerMillionRequests                               float64
	LogsIngestPerGB, LogsStoragePerGBMonth                  float64
	// CustomMetricMonth is one custom metric for a month; CloudWatch
	// prorates it by the hour, metering only the hours it receives data.
	CustomMetricMonth float64
	// AlarmMetricMonth is per metric an alarm evaluates (standard
	// resolution): a metric-math alarm over five metrics is five.
	AlarmMetricMonth                      float64
	CompositeAlarmMonth                   float64
	DashboardMonth                        float64
	XRayPerMillionTraces                  float64
	SecretMonth, SecretsPerTenThousandAPI float64
	// Cognito Essentials: the first 10,000 monthly active users free.
	CognitoMAUFree int
	CognitoPerMAU  float64
}

// EUWest2 is London (eu-west-2), as recorded on 2026-12-07 from the AWS
// pricing pages in Sources. Re-read them before relying on a figure: AWS
// changes prices (DynamoDB on-demand halved in November 2024).
var EUWest2 = Prices{
	Region: "eu-west-2 (London)", Recorded: "2026-12-07",
	Sources: []string{
		"https://aws.amazon.com/lambda/pricing/",
		"https://aws.amazon.com/dynamodb/pricing/on-demand/",
		"https://aws.amazon.com/ses/pricing/",
		"https://aws.amazon.com/s3/pricing/",
		"https://aws.amazon.com/eventbridge/pricing/ (Scheduler and custom events)",
		"https://aws.amazon.com/sqs/pricing/",
		"https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs)",
		"https://aws.amazon.com/cloudwatch/pricing/ (logs, custom metrics, alarms, dashboards)",
		"https://aws.amazon.com/xray/pricing/",
		"https://aws.amazon.com/secrets-manager/pricing/",
		"https://aws.amazon.com/cognito/pricing/",
	},
	LambdaGBSecondArm: 0.0000133334, LambdaGBSecondX86: 0.0000166667, LambdaPerMillionRequests: 0.20,
	DynamoPerMillionWRU: 0.7425, DynamoPerMillionRRU: 0.1485, DynamoGBMonth: 0.2975,
	SESPerThousandSent: 0.10, SESPerThousandReceived: 0.10, SESPerThousandReceivedChunks: 0.09,
	S3GBMonth: 0.024, S3PerThousandPuts: 0.0053, S3PerThousandGets: 0.00042,
	SchedulerPerMillion:         1.00,
	SQSPerMillionRequests:       0.40,
	EventBridgePerMillionEvents: 1.00,
	HTTPAPIPerMillionRequests:   1.11,
	LogsIngestPerGB:             0.5985, LogsStoragePerGBMonth: 0.0315,
	CustomMetricMonth: 0.30, AlarmMetricMonth: 0.10, CompositeAlarmMonth: 0.50, DashboardMonth: 3.00,
	XRayPerMillionTraces: 5.00,
	SecretMonth:          0.40, SecretsPerTenThousandAPI: 0.05,
	CognitoMAUFree: 10000, CognitoPerMAU: 0.015,
}
