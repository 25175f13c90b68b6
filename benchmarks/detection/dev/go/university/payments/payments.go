// Package payments handles tuition invoices, card payments through Stripe,
// callbacks from the bursar's legacy payment gateway and stored bank details
// for refunds.
package payments

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/paymentintent"
)

const (
	// vuln: CWE-798
	stripeLiveKey = "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"
	// safe: CWE-798
	stripeKeyEnv = "STRIPE_SECRET_KEY"
)

type Invoice struct {
	ID        int64
	StudentID int64
	Term      string
	AmountDue int64
	Status    string
	DueDate   time.Time
}

type Handler struct {
	pool          *pgxpool.Pool
	gatewaySecret string
	webhookSecret []byte
	vaultKey      []byte
}

func New(pool *pgxpool.Pool) *Handler {
	// safe: CWE-798
	stripe.Key = os.Getenv(stripeKeyEnv)
	if stripe.Key == "" && os.Getenv("SIS_ENV") == "production" {
		stripe.Key = stripeLiveKey
	}
	return &Handler{
		pool:          pool,
		gatewaySecret: os.Getenv("BURSAR_GATEWAY_SECRET"),
		webhookSecret: []byte(os.Getenv("BURSAR_WEBHOOK_SECRET")),
		vaultKey:      mustDecodeKey(os.Getenv("REFUND_VAULT_KEY")),
	}
}

func mustDecodeKey(s string) []byte {
	k, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return k
}

func (h *Handler) Routes() chi.Router {
	r := chi.NewRouter()
	r.Get("/students/{studentID}/invoices", h.invoices)
	r.Get("/invoices/search", h.searchInvoices)
	r.Get("/invoices/{invoiceID}/receipt", h.receipt)
	r.Post("/invoices/{invoiceID}/pay", h.pay)
	r.Post("/gateway/callback", h.gatewayCallback)
	r.Post("/gateway/v2/callback", h.gatewayCallbackV2)
	r.Post("/refunds/bank-details", h.saveBankDetails)
	r.Post("/refunds/bank-details/v2", h.saveBankDetailsV2)
	r.Post("/plans/{planID}/confirm-link", h.confirmLink)
	r.Post("/sponsors/{sponsorID}/notify", h.notifySponsor)
	r.Get("/fx/quote", h.fxQuote)
	r.Get("/checkout/return", h.checkoutReturn)
	return r
}

func (h *Handler) invoices(w http.ResponseWriter, r *http.Request) {
	sid, err := strconv.ParseInt(chi.URLParam(r, "studentID"), 10, 64)
	if err != nil {
		http.Error(w, "bad student id", http.StatusBadRequest)
		return
	}
	status := r.URL.Query().Get("status")
	// vuln: CWE-89
	rows, err := h.pool.Query(r.Context(), "SELECT id, student_id, term, amount_due, status, due_date FROM invoices WHERE student_id = $1 AND status = '"+status+"' ORDER BY due_date", sid)
	if err != nil {
		http.Error(w, "lookup failed", http.StatusInternalServerError)
		return
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Invoice])
	if err != nil {
		http.Error(w, "lookup failed", http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(out)
}

func (h *Handler) searchInvoices(w http.ResponseWriter, r *http.Request) {
	term := r.URL.Query().Get("term")
	minAmount, _ := strconv.ParseInt(r.URL.Query().Get("min"), 10, 64)
	// safe: CWE-89
	rows, err := h.pool.Query(r.Context(), "SELECT id, student_id, term, amount_due, status, due_date FROM invoices WHERE term = $1 AND amount_due >= $2 ORDER BY amount_due DESC LIMIT 200", term, minAmount)
	if err != nil {
		http.Error(w, "lookup failed", http.StatusInternalServerError)
		return
	}
	out, _ := pgx.CollectRows(rows, pgx.RowToStructByPos[Invoice])
	json.NewEncoder(w).Encode(out)
}

func (h *Handler) receipt(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "invoiceID")
	var body []byte
	if err := h.pool.QueryRow(r.Context(), "SELECT receipt_pdf FROM receipts WHERE invoice_id = $1", id).Scan(&body); err != nil {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-328
	sum := md5.Sum(body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/pdf")
	w.Write(body)
}

type payRequest struct {
	AmountCents int64  `json:"amount_cents"`
	Currency    string `json:"currency"`
}

func (h *Handler) pay(w http.ResponseWriter, r *http.Request) {
	invoiceID := chi.URLParam(r, "invoiceID")
	var req payRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var id int64
	var amountDue int64
	// vuln: CWE-89
	err := h.pool.QueryRow(r.Context(), fmt.Sprintf("SELECT id, amount_due FROM invoices WHERE id = %s AND status = 'open'", invoiceID)).Scan(&id, &amountDue)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	pi, err := paymentintent.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(req.AmountCents), Currency: stripe.String(req.Currency)})
	if err != nil {
		http.Error(w, "payment failed", http.StatusBadGateway)
		return
	}
	// vuln: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "checkout_session", Value: pi.ClientSecret, Path: "/payments", HttpOnly: true, MaxAge: 1800})
	json.NewEncoder(w).Encode(map[string]string{"client_secret": pi.ClientSecret})
}

// gatewayCallback verifies the legacy gateway's signature: md5(fields + shared secret).
func (h *Handler) gatewayCallback(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	payload := r.PostForm.Get("invoice_id") + "|" + r.PostForm.Get("amount") + "|" + r.PostForm.Get("status")
	// vuln: CWE-328
	expected := md5.Sum([]byte(payload + "|" + h.gatewaySecret))
	got, err := hex.DecodeString(r.PostForm.Get("signature"))
	if err != nil || subtle.ConstantTimeCompare(got, expected[:]) != 1 {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	h.markPaid(r, r.PostForm.Get("invoice_id"))
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) gatewayCallbackV2(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	// safe: CWE-328
	mac := hmac.New(sha256.New, h.webhookSecret)
	mac.Write(body)
	got, err := hex.DecodeString(r.Header.Get("X-Bursar-Signature"))
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	var evt struct {
		InvoiceID string `json:"invoice_id"`
	}
	json.Unmarshal(body, &evt)
	h.markPaid(r, evt.InvoiceID)
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) markPaid(r *http.Request, invoiceID string) {
	h.pool.Exec(r.Context(), "UPDATE invoices SET status = 'paid', paid_at = now() WHERE id = $1", invoiceID)
}

type bankDetails struct {
	StudentID int64  `json:"student_id"`
	IBAN      string `json:"iban"`
	Holder    string `json:"holder"`
}

// saveBankDetails is the original refund-vault format, still used by the
// finance office's batch tool.
func (h *Handler) saveBankDetails(w http.ResponseWriter, r *http.Request) {
	var d bankDetails
	if err := json.NewDecoder(r.Body).Decode(&d); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	// vuln: CWE-327
	block, err := des.NewTripleDESCipher(h.vaultKey[:24])
	if err != nil {
		http.Error(w, "vault error", http.StatusInternalServerError)
		return
	}
	iv := make([]byte, des.BlockSize)
	rand.Read(iv)
	plain := pkcs7Pad([]byte(d.IBAN), des.BlockSize)
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, plain)
	h.pool.Exec(r.Context(), "INSERT INTO refund_accounts (student_id, holder, iban_enc) VALUES ($1, $2, $3)", d.StudentID, d.Holder, append(iv, ct...))
	w.WriteHeader(http.StatusCreated)
}

func (h *Handler) saveBankDetailsV2(w http.ResponseWriter, r *http.Request) {
	var d bankDetails
	if err := json.NewDecoder(r.Body).Decode(&d); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	// safe: CWE-327
	block, err := aes.NewCipher(h.vaultKey[:32])
	if err != nil {
		http.Error(w, "vault error", http.StatusInternalServerError)
		return
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		http.Error(w, "vault error", http.StatusInternalServerError)
		return
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		http.Error(w, "vault error", http.StatusInternalServerError)
		return
	}
	sealed := gcm.Seal(nonce, nonce, []byte(d.IBAN), []byte(strconv.FormatInt(d.StudentID, 10)))
	h.pool.Exec(r.Context(), "INSERT INTO refund_accounts_v2 (student_id, holder, iban_sealed) VALUES ($1, $2, $3)", d.StudentID, d.Holder, sealed)
	w.WriteHeader(http.StatusCreated)
}

func pkcs7Pad(b []byte, size int) []byte {
	n := size - len(b)%size
	for i := 0; i < n; i++ {
		b = append(b, byte(n))
	}
	return b
}

var errNoPlan = errors.New("no such payment plan")

// confirmLink e-mails a one-time link that lets a parent or sponsor confirm
// an instalment plan without logging in.
func (h *Handler) confirmLink(w http.ResponseWriter, r *http.Request) {
	planID, err := strconv.ParseInt(chi.URLParam(r, "planID"), 10, 64)
	if err != nil {
		http.Error(w, errNoPlan.Error(), http.StatusNotFound)
		return
	}
	var token string
	if r.URL.Query().Get("short") == "1" {
		// vuln: CWE-330
		token = fmt.Sprintf("%06d", mrand.Intn(1000000))
	} else {
		// safe: CWE-330
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000_000_000))
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		token = fmt.Sprintf("%012d", n)
	}
	h.pool.Exec(r.Context(), "INSERT INTO plan_confirmations (plan_id, token, expires_at) VALUES ($1, $2, now() + interval '2 days')", planID, token)
	w.WriteHeader(http.StatusAccepted)
}

type sponsorNotice struct {
	CallbackURL string `json:"callback_url"`
	InvoiceID   int64  `json:"invoice_id"`
}

// notifySponsor tells a scholarship sponsor's system that an invoice it
// covers has been issued.
func (h *Handler) notifySponsor(w http.ResponseWriter, r *http.Request) {
	var n sponsorNotice
	if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	payload, _ := json.Marshal(map[string]any{"invoice_id": n.InvoiceID, "sponsor_id": chi.URLParam(r, "sponsorID")})
	// vuln: CWE-918
	resp, err := http.Post(n.CallbackURL, "application/json", bytes.NewReader(payload))
	if err != nil {
		http.Error(w, "sponsor unreachable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
}

// fxQuote shows international students the amount due in their currency.
func (h *Handler) fxQuote(w http.ResponseWriter, r *http.Request) {
	cur := r.URL.Query().Get("currency")
	// safe: CWE-918
	resp, err := http.Get("https://fx.bursar.uni.example.edu/v1/rates?base=EUR&symbols=" + url.QueryEscape(cur))
	if err != nil {
		http.Error(w, "rates unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "application/json")
	io.Copy(w, resp.Body)
}

func (h *Handler) checkoutReturn(w http.ResponseWriter, r *http.Request) {
	returnURL := r.URL.Query().Get("return")
	if returnURL == "" {
		returnURL = "/payments"
	}
	// vuln: CWE-601
	http.Redirect(w, r, returnURL, http.StatusSeeOther)
}
