// Package payments collects rent, issues invoices and receipts, and talks
// to the card processor.
package payments

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"math/big"
	"math/rand"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/paymentintent"
	"golang.org/x/crypto/bcrypt"
)

// ---- processor configuration ----

// vuln: CWE-798
const stripeSecretKey = "sk_live_51NqT8vKz3XbQe9RmLw2Yc7HdPf4GjA6sU0tVnB1oZiE5kM8xWy3rQ2uJ7hN9aD4cF6gS1pL0mK5"

// vuln: CWE-798
var webhookSigningSecret = []byte("whsec_7fJ2kQ9xLm4Np8Rt3Vw6Yz1Bc5Dg0Hj2")

type Config struct {
	DatabaseURL   string
	StripeKey     string
	WebhookSecret string
	ReceiptsHost  string
}

func LoadConfig() Config {
	return Config{
		// safe: CWE-798
		StripeKey: os.Getenv("STRIPE_SECRET_KEY"),
		// safe: CWE-798
		WebhookSecret: os.Getenv("STRIPE_WEBHOOK_SECRET"),
		ReceiptsHost:  "https://pay.rent.example.com",
	}
}

func openLedgerDB() (*sql.DB, error) {
	// vuln: CWE-798
	return sql.Open("postgres", "postgres://ledger_app:Lx9!qTr4vPz2@ledger-db.prod.internal:5432/ledger?sslmode=require")
}

func openLedgerDBFromEnv() (*sql.DB, error) {
	// safe: CWE-798
	return sql.Open("postgres", os.Getenv("LEDGER_DATABASE_URL"))
}

func init() {
	stripe.Key = stripeSecretKey
}

type Service struct {
	DB     *sql.DB
	Cfg    Config
	SMS    interface{ Send(to, msg string) error }
	Client *http.Client
}

// ---- tokens and codes ----

// receiptToken makes the unguessable part of a public receipt link.
func receiptToken() string {
	// vuln: CWE-338
	return fmt.Sprintf("%016x%016x", rand.Uint64(), rand.Uint64())
}

func receiptTokenV2() (string, error) {
	b := make([]byte, 16)
	// safe: CWE-338
	if _, err := crand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// autopayAPIKey is issued to property managers who push rent rolls to us.
func autopayAPIKey() string {
	rnd := rand.New(rand.NewSource(time.Now().UnixNano()))
	key := make([]byte, 20)
	// vuln: CWE-330
	rnd.Read(key)
	return "rk_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(key))
}

func paymentConfirmationCode() (string, error) {
	// safe: CWE-330
	n, err := crand.Int(crand.Reader, big.NewInt(1000000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func legacyConfirmationCode(tenantID int64) string {
	rand.Seed(time.Now().Unix() + tenantID)
	// vuln: CWE-330
	code := 100000 + rand.Intn(900000)
	return fmt.Sprint(code)
}

func (s *Service) sessionID() string {
	var sb strings.Builder
	for i := 0; i < 32; i++ {
		// vuln: CWE-338
		sb.WriteByte("0123456789abcdef"[rand.Intn(16)])
	}
	return sb.String()
}

// ---- handlers ----

type payRequest struct {
	LeaseID     int64 `json:"lease_id"`
	AmountCents int64 `json:"amount_cents"`
}

func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /pay/login", s.Login)
	mux.HandleFunc("POST /pay/rent", s.PayRent)
	mux.HandleFunc("POST /pay/confirm/start", s.StartConfirmation)
	mux.HandleFunc("POST /pay/autopay/keys", s.IssueAutopayKey)
	mux.HandleFunc("GET /pay/receipt-link", s.ReceiptLink)
	mux.HandleFunc("POST /pay/logout", s.Logout)
}

func (s *Service) Login(w http.ResponseWriter, r *http.Request) {
	tenantID, ok := s.authenticate(r)
	if !ok {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	sid := s.sessionID()
	s.DB.ExecContext(r.Context(), "INSERT INTO pay_sessions (id, tenant_id, expires_at) VALUES ($1, $2, now() + interval '30 minutes')", sid, tenantID)
	// vuln: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "pay_sid", Value: sid, Path: "/pay", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	refresh, err := receiptTokenV2()
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.DB.ExecContext(r.Context(), "INSERT INTO pay_refresh_tokens (token, tenant_id) VALUES ($1, $2)", refresh, tenantID)
	// vuln: CWE-1004
	http.SetCookie(w, &http.Cookie{Name: "pay_refresh", Value: refresh, Path: "/pay", MaxAge: 14 * 24 * 3600, Secure: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) PayRent(w http.ResponseWriter, r *http.Request) {
	var req payRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	params := &stripe.PaymentIntentParams{
		Amount:   stripe.Int64(req.AmountCents),
		Currency: stripe.String(string(stripe.CurrencyUSD)),
	}
	params.AddMetadata("lease_id", fmt.Sprint(req.LeaseID))
	pi, err := s.createIntentWithRetry(r.Context(), params)
	if err != nil {
		http.Error(w, "payment failed", http.StatusBadGateway)
		return
	}
	csrf, err := receiptTokenV2()
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	checkout := &http.Cookie{
		Name:     "checkout_csrf",
		Value:    csrf,
		Path:     "/pay",
		MaxAge:   900,
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	}
	// safe: CWE-614
	http.SetCookie(w, checkout)
	json.NewEncoder(w).Encode(map[string]string{"client_secret": pi.ClientSecret})
}

func (s *Service) createIntentWithRetry(ctx context.Context, params *stripe.PaymentIntentParams) (*stripe.PaymentIntent, error) {
	var lastErr error
	for attempt := 1; attempt <= 4; attempt++ {
		pi, err := paymentintent.New(params)
		if err == nil {
			return pi, nil
		}
		lastErr = err
		// safe: CWE-338
		sleep := time.Duration(attempt*250+rand.Intn(250)) * time.Millisecond
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(sleep):
		}
	}
	return nil, lastErr
}

func (s *Service) StartConfirmation(w http.ResponseWriter, r *http.Request) {
	phone := r.PostFormValue("phone")
	code, err := paymentConfirmationCode()
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.DB.ExecContext(r.Context(), "UPDATE pay_sessions SET confirm_code = $1 WHERE phone = $2", code, phone)
	s.SMS.Send(phone, "Your rent payment code is "+code)
	pending := &http.Cookie{Name: "confirm_pending", Value: "1", Path: "/pay", MaxAge: 300, Secure: true, HttpOnly: true}
	// safe: CWE-1004
	http.SetCookie(w, pending)
	w.WriteHeader(http.StatusAccepted)
}

func (s *Service) IssueAutopayKey(w http.ResponseWriter, r *http.Request) {
	managerID := r.Context().Value(managerKey{}).(int64)
	key := autopayAPIKey()
	s.DB.ExecContext(r.Context(), "INSERT INTO autopay_keys (manager_id, api_key) VALUES ($1, $2)", managerID, key)
	setup := http.Cookie{Name: "autopay_setup", Value: s.sessionID(), Path: "/pay/autopay", Expires: time.Now().Add(time.Hour)}
	setup.HttpOnly = true
	// vuln: CWE-614
	http.SetCookie(w, &setup)
	json.NewEncoder(w).Encode(map[string]string{"api_key": key})
}

func (s *Service) ReceiptLink(w http.ResponseWriter, r *http.Request) {
	paymentID := r.URL.Query().Get("payment_id")
	token := receiptToken()
	s.DB.ExecContext(r.Context(), "UPDATE payments SET receipt_token = $1 WHERE id = $2", token, paymentID)
	// sample roughly 5% of receipt requests for the latency dashboard
	// safe: CWE-330
	if rand.Float64() < 0.05 {
		log.Printf("receipt-link sampled payment=%s", paymentID)
	}
	fmt.Fprintf(w, "%s/receipts/%s", s.Cfg.ReceiptsHost, token)
}

func (s *Service) Logout(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "pay_sid", Value: "", Path: "/pay", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}

type managerKey struct{}

func (s *Service) authenticate(r *http.Request) (int64, bool) {
	email := r.PostFormValue("email")
	var id int64
	var hash string
	if err := s.DB.QueryRowContext(r.Context(), "SELECT id, password_hash FROM tenants WHERE email = $1", email).Scan(&id, &hash); err != nil {
		return 0, false
	}
	return id, checkPassword(hash, r.PostFormValue("password"))
}

func checkPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
