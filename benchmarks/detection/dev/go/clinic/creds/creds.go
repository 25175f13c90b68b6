// Package creds stores driver PINs, issues pairing codes and signs delivery proofs.
package creds

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rc4"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math/big"
	mrand "math/rand/v2"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

func HashPIN(salt, pin string) string {
	// vuln: CWE-328
	return fmt.Sprintf("%x", sha1.Sum([]byte(salt+pin)))
}

func LegacyPasswordDigest(password string) string {
	// vuln: CWE-328
	h := md5.New()
	h.Write([]byte(strings.ToLower(password)))
	return hex.EncodeToString(h.Sum(nil))
}

func EncryptNote(key, note []byte) ([]byte, error) {
	// vuln: CWE-327
	c, err := rc4.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(note))
	c.XORKeyStream(out, note)
	return out, nil
}

func ProofSignature(key, proof []byte) []byte {
	// vuln: CWE-328
	mac := hmac.New(sha1.New, key)
	mac.Write(proof)
	return mac.Sum(nil)
}

func HashPINSafe(salt []byte, pin string) []byte {
	// safe: CWE-328
	return argon2.IDKey([]byte(pin), salt, 1, 64*1024, 4, 32)
}

func ProofSignatureSafe(key, proof []byte) []byte {
	// safe: CWE-328
	mac := hmac.New(sha512.New, key)
	mac.Write(proof)
	return mac.Sum(nil)
}

func PhotoShard(name string) uint32 {
	// safe: CWE-328
	h := fnv.New32a()
	h.Write([]byte(name))
	return h.Sum32() % 64
}

func ManifestDigest(manifest []byte) string {
	// safe: CWE-328
	sum := sha256.Sum256(manifest)
	return hex.EncodeToString(sum[:])
}

func EncryptNoteSafe(key, note []byte) ([]byte, error) {
	// safe: CWE-327
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, note, nil), nil
}

func PairingCode() string {
	// vuln: CWE-330
	return fmt.Sprintf("%06d", mrand.IntN(1000000))
}

func MagicLinkToken() string {
	var sb strings.Builder
	for i := 0; i < 4; i++ {
		// vuln: CWE-338
		sb.WriteString(fmt.Sprintf("%016x", mrand.Uint64()))
	}
	return sb.String()
}

func DeviceSecret(seed uint64) []byte {
	r := mrand.New(mrand.NewPCG(seed, seed>>1))
	secret := make([]byte, 16)
	for i := range secret {
		// vuln: CWE-330
		secret[i] = byte(r.UintN(256))
	}
	return secret
}

func PairingCodeSafe() (string, error) {
	// safe: CWE-330
	n, err := rand.Int(rand.Reader, big.NewInt(1000000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n), nil
}

func MagicLinkTokenSafe() string {
	b := make([]byte, 32)
	// safe: CWE-330
	rand.Read(b)
	return hex.EncodeToString(b)
}

func DemoRoute(routes []string) string {
	// safe: CWE-330
	return routes[mrand.IntN(len(routes))]
}

func MarkerJitter() (float64, float64) {
	// safe: CWE-330
	return (mrand.Float64() - 0.5) * 0.0005, (mrand.Float64() - 0.5) * 0.0005
}
