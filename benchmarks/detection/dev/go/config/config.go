// Package config holds the service's runtime configuration.
package config

import (
	"database/sql"
	"os"
	"strings"

	"github.com/stripe/stripe-go/v76"
)

// vuln: CWE-798
const jwtSigningKey = "f3a9c1e7b5d2048a6c9e1f3b7d5a2c84"

const (
	// safe: CWE-798
	passwordMinLength = 12
	// safe: CWE-798
	tokenHeader = "X-Auth-Token"
)

type Config struct {
	DatabaseURL string
	AWSKeyID    string
	AWSSecret   string
	SMTPPass    string
}

func Default() Config {
	return Config{
		// vuln: CWE-798
		DatabaseURL: "postgres://storefront:Zq7!mN4#vB8xKp2w@db.internal.example.com:5432/storefront?sslmode=require",
		// vuln: CWE-798
		AWSKeyID: "AKIAV4T7K2M9Q5R8X3PN",
		// vuln: CWE-798
		AWSSecret: "9xKq2LmP7vRt4Wz1Bn6Yc3Hd8Jf5Gs0Ae2Uo7Ii4",
		// safe: CWE-798
		SMTPPass: os.Getenv("SMTP_PASSWORD"),
	}
}

func Init() {
	// vuln: CWE-798
	stripe.Key = "sk_live_51Mx2pQ7rT4vW9yB3nK6hJ8dF1gS5aL0zC7xE2mP4oU9iR"
}

func InitFromEnv() {
	// safe: CWE-798
	stripe.Key = os.Getenv("STRIPE_SECRET_KEY")
}

func OpenDB() (*sql.DB, error) {
	// safe: CWE-798
	password, err := os.ReadFile("/run/secrets/db_password")
	if err != nil {
		return nil, err
	}
	return sql.Open("postgres", "postgres://storefront:"+strings.TrimSpace(string(password))+"@db.internal.example.com/storefront")
}
