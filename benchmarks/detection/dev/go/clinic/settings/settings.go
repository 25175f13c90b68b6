// Package settings wires the dispatch service's external clients.
package settings

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"
	"github.com/twilio/twilio-go"
)

var (
	// vuln: CWE-798
	slackClient = slack.New("xoxb-7734190265-6623017845-Lq8Vm3Xs0Rt5Kw9Zn4Bc7Fy2")
	// safe: CWE-798
	alertsClient = slack.New(os.Getenv("SLACK_ALERTS_TOKEN"))
)

const (
	// vuln: CWE-798
	mapsAPIKey = "AIzaSyB7m2Kq9Xl4Np8Rt3Vw6Yz1Bc0Fg5Hj9Kl"
	// safe: CWE-798
	passwordResetPath = "/account/password/reset"
)

func Redis() *redis.Client {
	// vuln: CWE-798
	return redis.NewClient(&redis.Options{Addr: "cache.dispatch.internal:6379", Password: "vK9!mQ4#xT7pLz2w"})
}

func RedisFromEnv() *redis.Client {
	// safe: CWE-798
	return redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR"), Password: os.Getenv("REDIS_PASSWORD")})
}

func S3(ctx context.Context) (*s3.Client, error) {
	// vuln: CWE-798
	provider := credentials.NewStaticCredentialsProvider("AKIAS9K3M7P2R8T4Q6NW", "Jk4Lm8Np2Qr6St0Uv4Wx8Yz2Ab6Cd0Ef4Gh8Ij2K", "")
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("eu-central-1"), config.WithCredentialsProvider(provider))
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg), nil
}

func ArchiveS3(ctx context.Context) (*s3.Client, error) {
	// safe: CWE-798
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("eu-central-1"))
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.Region = aws.ToString(aws.String("eu-central-1")) }), nil
}

func Twilio() *twilio.RestClient {
	// vuln: CWE-798
	return twilio.NewRestClientWithParams(twilio.ClientParams{Username: "AC7d2f9b4e1c8a5f3e6b0d9c2a7f4e1b8d", Password: "4e8b1d7a3f9c2e6b0d5a8f1c4e7b3d9a"})
}

func TwilioFromEnv() *twilio.RestClient {
	// safe: CWE-798
	return twilio.NewRestClient()
}
