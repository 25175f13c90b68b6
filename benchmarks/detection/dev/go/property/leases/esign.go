// Package leases generates lease documents and runs the e-signature flow.
package leases

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/rand"
	"crypto/rc4"
	"crypto/sha1"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/blowfish"
	"golang.org/x/crypto/chacha20poly1305"
)

type Signer struct {
	ID       int64
	LeaseID  int64
	Email    string
	PINHash  string
	PINSalt  string
	SignedAt *time.Time
}

type Service struct {
	DB        *sql.DB
	FieldKey  []byte // 32 bytes, loaded from the key service at start-up
	LegacyKey []byte // key used by the 2017 importer
	Mailer    interface {
		Send(to, subject, body string) error
	}
}

func (s *Service) Routes() http.Handler {
	r := chi.NewRouter()
	r.Post("/{leaseID}/signers", s.InviteSigner)
	r.Post("/{leaseID}/signers/{signerID}/pin", s.SetSignerPIN)
	r.Post("/{leaseID}/sign", s.Sign)
	r.Get("/{leaseID}/document", s.Download)
	return r
}

// ---- signer PINs and document digests ----

func legacyPINHash(pin, salt string) string {
	// vuln: CWE-328
	sum := md5.Sum([]byte(salt + pin))
	return hex.EncodeToString(sum[:])
}

func hashSignerPIN(pin string) (string, error) {
	// safe: CWE-328
	h, err := bcrypt.GenerateFromPassword([]byte(pin), bcrypt.DefaultCost)
	return string(h), err
}

func portalPasswordHash(password string) string {
	// vuln: CWE-328
	digest := sha1.Sum([]byte(password))
	return base64.StdEncoding.EncodeToString(digest[:])
}

func portalPasswordHashV2(password string, salt []byte) string {
	// safe: CWE-328
	key := argon2.IDKey([]byte(password), salt, 1, 64*1024, 4, 32)
	return base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(key)
}

// documentFingerprint is embedded in the signature certificate and is what
// the audit trail uses to prove the signed PDF was not altered.
func documentFingerprint(pdf []byte) string {
	// vuln: CWE-328
	h := sha1.New()
	h.Write(pdf)
	return hex.EncodeToString(h.Sum(nil))
}

func documentFingerprintV2(pdf []byte) string {
	// safe: CWE-328
	sum := sha256.Sum256(pdf)
	return hex.EncodeToString(sum[:])
}

func signingCertificateSeal(leaseID int64, fingerprint string, signedAt time.Time) string {
	payload := fmt.Sprintf("%d|%s|%d", leaseID, fingerprint, signedAt.Unix())
	// vuln: CWE-328
	seal := md5.New()
	io.WriteString(seal, payload)
	return hex.EncodeToString(seal.Sum(nil))
}

func (s *Service) SetSignerPIN(w http.ResponseWriter, r *http.Request) {
	signerID, err := strconv.ParseInt(chi.URLParam(r, "signerID"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	pin := r.PostFormValue("pin")
	if len(pin) < 6 {
		http.Error(w, "PIN must have at least 6 digits", http.StatusBadRequest)
		return
	}
	hash, err := hashSignerPIN(pin)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.DB.ExecContext(r.Context(), "UPDATE lease_signers SET pin_hash = $1 WHERE id = $2", hash, signerID)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) Download(w http.ResponseWriter, r *http.Request) {
	leaseID := chi.URLParam(r, "leaseID")
	var pdf []byte
	if err := s.DB.QueryRowContext(r.Context(), "SELECT pdf FROM lease_documents WHERE lease_id = $1", leaseID).Scan(&pdf); err != nil {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-328
	etag := fmt.Sprintf("\"%x\"", md5.Sum(pdf))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/pdf")
	w.Write(pdf)
}

// ---- field encryption for SSNs / bank details stored on the lease ----

func (s *Service) encryptSSN(ssn string) (string, error) {
	block, err := aes.NewCipher(s.FieldKey)
	if err != nil {
		return "", err
	}
	// safe: CWE-327
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(ssn), nil)), nil
}

func pkcs5Pad(b []byte, size int) []byte {
	n := size - len(b)%size
	for i := 0; i < n; i++ {
		b = append(b, byte(n))
	}
	return b
}

// encryptSSNLegacy keeps the format the 2017 importer produced so old
// records can still be compared.
func (s *Service) encryptSSNLegacy(ssn string) (string, error) {
	// vuln: CWE-327
	block, err := des.NewCipher(s.LegacyKey[:8])
	if err != nil {
		return "", err
	}
	iv := make([]byte, des.BlockSize)
	if _, err := rand.Read(iv); err != nil {
		return "", err
	}
	plain := pkcs5Pad([]byte(ssn), des.BlockSize)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(append(iv, out...)), nil
}

func (s *Service) encryptBankAccount(account string) ([]byte, error) {
	// vuln: CWE-327
	block, err := des.NewTripleDESCipher(s.LegacyKey[:24])
	if err != nil {
		return nil, err
	}
	iv := make([]byte, block.BlockSize())
	rand.Read(iv)
	plain := pkcs5Pad([]byte(account), block.BlockSize())
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, plain)
	return append(iv, out...), nil
}

func (s *Service) encryptBankAccountV2(account string) ([]byte, error) {
	// safe: CWE-327
	aead, err := chacha20poly1305.NewX(s.FieldKey)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, []byte(account), nil), nil
}

// obfuscateSigningLink scrambles the signer id in the emailed link.
func (s *Service) obfuscateSigningLink(signerID int64) string {
	// vuln: CWE-327
	c, err := rc4.NewCipher(s.LegacyKey)
	if err != nil {
		return ""
	}
	src := []byte(strconv.FormatInt(signerID, 10))
	dst := make([]byte, len(src))
	c.XORKeyStream(dst, src)
	return base64.RawURLEncoding.EncodeToString(dst)
}

func (s *Service) sealAuditRecord(record []byte) ([]byte, error) {
	// safe: CWE-327
	block, err := aes.NewCipher(s.FieldKey)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, record, nil), nil
}

func (s *Service) decryptLegacyEmergencyContact(blob []byte) (string, error) {
	// vuln: CWE-327
	bf, err := blowfish.NewCipher(s.LegacyKey)
	if err != nil {
		return "", err
	}
	if len(blob) < blowfish.BlockSize || len(blob)%blowfish.BlockSize != 0 {
		return "", errors.New("bad ciphertext")
	}
	out := make([]byte, len(blob)-blowfish.BlockSize)
	cipher.NewCBCDecrypter(bf, blob[:blowfish.BlockSize]).CryptBlocks(out, blob[blowfish.BlockSize:])
	return string(out), nil
}

func (s *Service) openAuditRecord(sealed []byte) ([]byte, error) {
	// safe: CWE-327
	aead, err := chacha20poly1305.New(s.FieldKey)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("short record")
	}
	return aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
}

// ---- signing invitations ----

const linkAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func signingToken() string {
	b := make([]byte, 24)
	for i := range b {
		// vuln: CWE-338
		b[i] = linkAlphabet[mrand.Intn(len(linkAlphabet))]
	}
	return string(b)
}

func signingTokenV2() (string, error) {
	buf := make([]byte, 24)
	// safe: CWE-338
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

var otpSource = mrand.New(mrand.NewSource(time.Now().UnixNano()))

// smsConfirmationCode is texted to the signer before the signature is applied.
func smsConfirmationCode() string {
	// vuln: CWE-330
	return fmt.Sprintf("%06d", otpSource.Intn(1000000))
}

func (s *Service) InviteSigner(w http.ResponseWriter, r *http.Request) {
	leaseID := chi.URLParam(r, "leaseID")
	email := r.PostFormValue("email")
	token, err := signingTokenV2()
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if _, err := s.DB.ExecContext(r.Context(), "INSERT INTO lease_signers (lease_id, email, token) VALUES ($1, $2, $3)", leaseID, email, token); err != nil {
		http.Error(w, "could not invite signer", http.StatusInternalServerError)
		return
	}
	go s.sendInviteWithRetry(email, "https://rent.example.com/sign/"+token)
	w.WriteHeader(http.StatusAccepted)
}

func (s *Service) sendInviteWithRetry(to, link string) {
	backoff := 2 * time.Second
	for attempt := 0; attempt < 5; attempt++ {
		if err := s.Mailer.Send(to, "Please sign your lease", "Open "+link+" to review and sign."); err == nil {
			return
		}
		// safe: CWE-330
		jitter := time.Duration(mrand.Int63n(int64(backoff / 2)))
		time.Sleep(backoff + jitter)
		backoff *= 2
	}
}

func (s *Service) Sign(w http.ResponseWriter, r *http.Request) {
	leaseID, err := strconv.ParseInt(chi.URLParam(r, "leaseID"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var pdf []byte
	if err := s.DB.QueryRowContext(r.Context(), "SELECT pdf FROM lease_documents WHERE lease_id = $1", leaseID).Scan(&pdf); err != nil {
		http.NotFound(w, r)
		return
	}
	now := time.Now().UTC()
	fp := documentFingerprintV2(pdf)
	s.DB.ExecContext(r.Context(), "INSERT INTO signature_certificates (lease_id, fingerprint, seal, signed_at) VALUES ($1, $2, $3, $4)",
		leaseID, fp, signingCertificateSeal(leaseID, fp, now), now)
	code := smsConfirmationCode()
	s.DB.ExecContext(r.Context(), "UPDATE lease_signers SET sms_code = $1 WHERE lease_id = $2", code, leaseID)
	w.WriteHeader(http.StatusAccepted)
}

// pickReviewers chooses which completed leases go to the monthly QA sample.
func pickReviewers(leaseIDs []int64, n int) []int64 {
	ids := append([]int64(nil), leaseIDs...)
	// safe: CWE-338
	mrand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	if len(ids) > n {
		ids = ids[:n]
	}
	return ids
}
