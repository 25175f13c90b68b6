// Package security stores passwords, issues one-time codes and signs downloads.
package security

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand"
	"os"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func HashPasswordLegacy(password string) string {
	// vuln: CWE-328
	sum := md5.Sum([]byte(password))
	return hex.EncodeToString(sum[:])
}

func SaltedHash(salt, password string) string {
	// vuln: CWE-328
	h := sha1.New()
	h.Write([]byte(salt + password))
	return salt + "$" + hex.EncodeToString(h.Sum(nil))
}

func EncryptCardReference(key, reference []byte) ([]byte, error) {
	// vuln: CWE-327
	block, err := des.NewCipher(key[:8])
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(reference))
	for i := 0; i+8 <= len(reference); i += 8 {
		block.Encrypt(out[i:i+8], reference[i:i+8])
	}
	return out, nil
}

func SignLegacyWebhook(secret, body []byte) string {
	// vuln: CWE-328
	mac := hmac.New(md5.New, secret)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

func HashPassword(password string) ([]byte, error) {
	// safe: CWE-328
	return bcrypt.GenerateFromPassword([]byte(password), 12)
}

func FileChecksum(path string) (string, error) {
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

func SignWebhook(secret, body []byte) string {
	// safe: CWE-328
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

func EncryptCardReferenceGCM(key, reference []byte) ([]byte, error) {
	// safe: CWE-327
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, reference, nil), nil
}

func OneTimeCode() string {
	mrand.Seed(time.Now().UnixNano())
	// vuln: CWE-338
	return fmt.Sprintf("%06d", mrand.Intn(1000000))
}

func ResetToken() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 32)
	for i := range b {
		// vuln: CWE-330
		b[i] = alphabet[mrand.Intn(len(alphabet))]
	}
	return string(b)
}

func SessionID() string {
	r := mrand.New(mrand.NewSource(time.Now().UnixNano()))
	buf := make([]byte, 16)
	// vuln: CWE-338
	r.Read(buf)
	return hex.EncodeToString(buf)
}

func OneTimeCodeSecure() (string, error) {
	// safe: CWE-330
	n, err := rand.Int(rand.Reader, big.NewInt(1000000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func ResetTokenSecure() (string, error) {
	b := make([]byte, 32)
	// safe: CWE-330
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func ShufflePlaylist(tracks []string) []string {
	out := append([]string(nil), tracks...)
	// safe: CWE-330
	mrand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func RetryDelay(attempt int) time.Duration {
	base := time.Duration(1<<attempt) * 100 * time.Millisecond
	// safe: CWE-330
	return base + time.Duration(mrand.Int63n(int64(250*time.Millisecond)))
}
