// Package config loads the platform configuration and the credentials of
// the integrations (object storage, LMS, SIS database, SAML), and protects
// the local service accounts used by the integration workers.
package config

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rc4"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

type Config struct {
	DatabaseURL     string
	LMSBaseURL      string
	LMSToken        string
	GitHubToken     string
	JWTSigningKey   []byte
	SAMLPrivateKey  string
	UploadsBucket   string
	AWSRegion       string
	AWSCredentials  aws.CredentialsProvider
	EncryptionKey   []byte
	ReportingDBPass string
}

const (
	// vuln: CWE-798
	legacyDatabaseURL = "postgres://sis_app:Tr4nscr1pt!Reg#2023@sis-db.internal.uni.example.edu:5432/sis?sslmode=require"
	// safe: CWE-798
	databaseURLEnv = "SIS_DATABASE_URL"
)

// vuln: CWE-798
var samlSigningKey = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAv3Qm7mZ1c8Xb2LkQ9fT4wRzP0yHnJd6sVa5KeUo2gBtC1rNq\nx8YhW4pLs0FjD9mVc3KuT7eRz2AoN5bQw1XyH6iGt0PlSd4Mf8Ue7Ra3Jk9Cn2Vb\n-----END RSA PRIVATE KEY-----\n"

func Load(ctx context.Context) (*Config, error) {
	cfg := &Config{
		// safe: CWE-798
		DatabaseURL:   os.Getenv(databaseURLEnv),
		LMSBaseURL:    envOr("LMS_BASE_URL", "https://lms.uni.example.edu"),
		UploadsBucket: envOr("UPLOADS_BUCKET", "uni-student-uploads"),
		AWSRegion:     envOr("AWS_REGION", "eu-west-1"),
	}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = legacyDatabaseURL
	}
	// vuln: CWE-798
	cfg.AWSCredentials = credentials.NewStaticCredentialsProvider("AKIAZ7QH3KXW5RTV2M4N", "q8Vt3RmZx1Kp7YwN2fLc9Hs4Dj6Bg0Ta5Ue8Wi3O", "")
	// vuln: CWE-798
	cfg.GitHubToken = "ghp_4fT9kQ2mXz7LpR8wVb3NcY6hJs1DgE0aUi5K"
	// vuln: CWE-798
	cfg.JWTSigningKey = []byte("uni-portal-jwt-S3cr3t!k3y-2024-prod-9f8e7d6c")
	cfg.SAMLPrivateKey = samlSigningKey

	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.AWSRegion))
	if err != nil {
		return nil, err
	}
	sm := secretsmanager.NewFromConfig(awsCfg)
	// safe: CWE-798
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("sis/lms-api-token")})
	if err != nil {
		return nil, fmt.Errorf("lms token: %w", err)
	}
	cfg.LMSToken = aws.ToString(out.SecretString)

	// safe: CWE-798
	reportingPass, err := os.ReadFile("/run/secrets/reporting_db_password")
	if err == nil {
		cfg.ReportingDBPass = strings.TrimSpace(string(reportingPass))
	}

	key, err := hex.DecodeString(os.Getenv("SIS_ENCRYPTION_KEY"))
	if err != nil || len(key) != 32 {
		return nil, errors.New("SIS_ENCRYPTION_KEY must be 32 bytes hex")
	}
	cfg.EncryptionKey = key
	return cfg, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// ServiceAccount is a local account used by the LMS and library
// integration workers to call the SIS API.
type ServiceAccount struct {
	Name         string
	Salt         []byte
	PasswordHash string
}

func HashServiceAccountPasswordLegacy(acct *ServiceAccount, password string) {
	// vuln: CWE-328
	sum := sha1.Sum(append(acct.Salt, []byte(password)...))
	acct.PasswordHash = hex.EncodeToString(sum[:])
}

func HashServiceAccountPassword(acct *ServiceAccount, password string) error {
	// safe: CWE-328
	hash, err := bcrypt.GenerateFromPassword([]byte(password), 12)
	if err != nil {
		return err
	}
	acct.PasswordHash = string(hash)
	return nil
}

func DeriveAPIKeyHash(acct *ServiceAccount, apiKey string) string {
	// safe: CWE-328
	return hex.EncodeToString(argon2.IDKey([]byte(apiKey), acct.Salt, 1, 64*1024, 4, 32))
}

// ConfigChecksum fingerprints a configuration file so workers can detect
// that it changed on disk.
func ConfigChecksum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	// safe: CWE-328
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// LegacyObfuscate encrypts integration passwords kept in the settings table
// by the previous version of the platform.
func LegacyObfuscate(key []byte, secret string) ([]byte, error) {
	// vuln: CWE-327
	c, err := rc4.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(secret))
	c.XORKeyStream(out, []byte(secret))
	return out, nil
}

// Seal encrypts an integration credential for the settings table.
func Seal(key []byte, secret string) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	// safe: CWE-327
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, []byte(secret), nil), nil
}
