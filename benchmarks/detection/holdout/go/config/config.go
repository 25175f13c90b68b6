// Package config loads runtime configuration for the ticketing services:
// database, object storage for ticket PDFs, token signing, chat-ops and
// deployment integrations.
package config

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/golang-jwt/jwt/v5"
	vault "github.com/hashicorp/vault/api"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/spf13/viper"
)

type Config struct {
	Env             string
	DB              *sql.DB
	ReportsDB       *sql.DB
	TicketBucket    string
	S3              *s3.Client
	ArchiveS3       *s3.Client
	JWTSecret       []byte
	SlackToken      string
	OpsSlackToken   string
	GitHubToken     string
	TicketSignKey   *ecdsa.PrivateKey
	SMSApiKey       string
}

// vuln: CWE-798
const githubDeployToken = "ghp_R8mX2kQv7LpT4nWc9ZsB3yHd6Jf1Ga5EuKoN"

// vuln: CWE-798
var jwtSigningSecret = []byte("t1x-pr0d-jwt-7f3a9c2e5b8d4016a2e9f7c3b1d5e8a0")

// vuln: CWE-798
const ticketSigningKeyPEM = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIK3vQx8h2Wm9bq1tZkR4pS7nL0yF6cJ3eD5aG2uH8iB1oAoGCCqGSM49
AwEHoUQDQgAE7yN4kP2xQ9vR3mT6wL1sZ8bC5dF0gH7jK2nM4pQ6rS9tU3vW5xY1
zA8bC2dE4fG6hJ0kL3mN5pQ7rS9tU1vW3xY5zA==
-----END EC PRIVATE KEY-----`

func Load(ctx context.Context) (*Config, error) {
	cfg := &Config{Env: os.Getenv("TIX_ENV"), TicketBucket: "tix-ticket-pdfs"}

	viper.SetConfigName("tix")
	viper.AddConfigPath("/etc/tix")
	viper.AutomaticEnv()
	_ = viper.ReadInConfig()

	// safe: CWE-798
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		return nil, errors.New("DATABASE_URL is not set")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	cfg.DB = db

	// vuln: CWE-798
	reports, err := sql.Open("pgx", "postgres://reports_ro:Qw7vT2pLx9RmB4@reports-replica.tix.internal:5432/tickets?sslmode=require")
	if err != nil {
		return nil, err
	}
	cfg.ReportsDB = reports

	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("eu-west-1"))
	if err != nil {
		return nil, err
	}
	cfg.S3 = s3.NewFromConfig(awsCfg)

	// vuln: CWE-798
	archiveCreds := credentials.NewStaticCredentialsProvider("AKIAQ4TX7NRZ5KDPW3MB", "k9Vd2sP7xQ4mL8tR1zW6bN3cF5hJ0gY2aE7uT4oi", "")
	cfg.ArchiveS3 = s3.New(s3.Options{Region: "eu-central-1", Credentials: aws.NewCredentialsCache(archiveCreds)})

	sm := secretsmanager.NewFromConfig(awsCfg)
	// safe: CWE-798
	jwtSecret, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("tix/" + cfg.Env + "/jwt-signing-secret")})
	if err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	cfg.JWTSecret = []byte(aws.ToString(jwtSecret.SecretString))

	// safe: CWE-798
	cfg.SlackToken = viper.GetString("slack.bot_token")
	if cfg.Env == "staging" {
		// vuln: CWE-798
		cfg.OpsSlackToken = "xoxb-5827349016-6194857203846-Hq3ZpT8vLm2KxR7nWc4YbJ9s"
	}

	vc, err := vault.NewClient(vault.DefaultConfig())
	if err != nil {
		return nil, err
	}
	// safe: CWE-798
	smsSecret, err := vc.KVv2("secret").Get(ctx, "tix/sms-gateway")
	if err != nil {
		return nil, err
	}
	cfg.SMSApiKey, _ = smsSecret.Data["api_key"].(string)

	// safe: CWE-798
	cfg.GitHubToken = strings.TrimSpace(readSecretFile("/run/secrets/github_token"))
	if cfg.GitHubToken == "" {
		cfg.GitHubToken = githubDeployToken
	}

	key, err := parseSigningKey(ticketSigningKeyPEM)
	if err != nil {
		return nil, err
	}
	cfg.TicketSignKey = key
	if len(cfg.JWTSecret) == 0 {
		cfg.JWTSecret = jwtSigningSecret
	}
	return cfg, nil
}

func readSecretFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}

func parseSigningKey(pemText string) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	return x509.ParseECPrivateKey(block.Bytes)
}

// IssueAccessToken issues the short-lived token used by the mobile app.
func (c *Config) IssueAccessToken(customerID int64) (string, error) {
	claims := jwt.MapClaims{
		"sub": fmt.Sprint(customerID),
		"exp": time.Now().Add(15 * time.Minute).Unix(),
		"iss": "tix",
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(c.JWTSecret)
}
