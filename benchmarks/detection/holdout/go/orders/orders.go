// Package orders handles checkout, order history and refunds.
package orders

import (
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"fmt"
	mrand "math/rand"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type Service struct {
	DB          *sql.DB
	SiteBaseURL string
}

type Order struct {
	ID          int64     `json:"id"`
	Reference   string    `json:"reference"`
	CustomerID  int64     `json:"customer_id"`
	EventID     int64     `json:"event_id"`
	TotalCents  int64     `json:"total_cents"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

func NewMux(s *Service) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/orders/history", s.History)
	mux.HandleFunc("/orders/lookup", s.Lookup)
	mux.HandleFunc("/orders/refund", s.Refund)
	mux.HandleFunc("/orders/status", s.UpdateStatus)
	mux.HandleFunc("/orders/export", s.ExportRange)
	mux.HandleFunc("/orders/by-promo", s.ByPromoCode)
	mux.HandleFunc("/checkout/start", s.StartCheckout)
	mux.HandleFunc("/checkout/complete", s.CompleteCheckout)
	mux.HandleFunc("/checkout/cancel", s.CancelCheckout)
	mux.HandleFunc("/checkout/continue", s.ContinueShopping)
	mux.HandleFunc("/checkout/back", s.BackToEvent)
	mux.HandleFunc("/checkout/thanks", s.Thanks)
	return mux
}

func customerIDFrom(r *http.Request) int64 {
	v, _ := r.Context().Value(ctxCustomerKey{}).(int64)
	return v
}

type ctxCustomerKey struct{}

func writeOrders(w http.ResponseWriter, rows *sql.Rows) {
	defer rows.Close()
	var list []Order
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.Reference, &o.CustomerID, &o.EventID, &o.TotalCents, &o.Status, &o.CreatedAt); err != nil {
			http.Error(w, "scan failed", http.StatusInternalServerError)
			return
		}
		list = append(list, o)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(list)
}

// History lists the orders of the signed-in customer, optionally filtered by status.
func (s *Service) History(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	cid := customerIDFrom(r)
	query := "SELECT id, reference, customer_id, event_id, total_cents, status, created_at FROM orders WHERE customer_id = " + strconv.FormatInt(cid, 10)
	if status != "" {
		query += " AND status = '" + status + "'"
	}
	query += " ORDER BY created_at DESC"
	// vuln: CWE-89
	rows, err := s.DB.QueryContext(r.Context(), query)
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	writeOrders(w, rows)
}

// Lookup lets a guest find an order by reference and e-mail.
func (s *Service) Lookup(w http.ResponseWriter, r *http.Request) {
	ref := r.FormValue("reference")
	email := r.FormValue("email")
	// safe: CWE-89
	rows, err := s.DB.QueryContext(r.Context(), "SELECT o.id, o.reference, o.customer_id, o.event_id, o.total_cents, o.status, o.created_at FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.reference = $1 AND lower(c.email) = lower($2)", ref, email)
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	writeOrders(w, rows)
}

type refundRequest struct {
	OrderRef string `json:"order_ref"`
	Reason   string `json:"reason"`
}

func refundNote(orderRef, reason string) string {
	return fmt.Sprintf("INSERT INTO refund_requests (order_ref, reason, requested_at) VALUES ('%s', '%s', now())", orderRef, reason)
}

// Refund records a refund request from the customer's account page.
func (s *Service) Refund(w http.ResponseWriter, r *http.Request) {
	var req refundRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	stmt := refundNote(req.OrderRef, req.Reason)
	// vuln: CWE-89
	if _, err := s.DB.ExecContext(r.Context(), stmt); err != nil {
		http.Error(w, "could not record refund", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// UpdateStatus is called by the box-office tool when an order is collected.
func (s *Service) UpdateStatus(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PostFormValue("order_id"), 10, 64)
	if err != nil {
		http.Error(w, "bad order id", http.StatusBadRequest)
		return
	}
	newStatus := r.PostFormValue("status")
	tx, err := s.DB.BeginTx(r.Context(), nil)
	if err != nil {
		http.Error(w, "tx failed", http.StatusInternalServerError)
		return
	}
	defer tx.Rollback()
	// safe: CWE-89
	if _, err := tx.Exec("UPDATE orders SET status = ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?", newStatus, id); err != nil {
		http.Error(w, "update failed", http.StatusInternalServerError)
		return
	}
	_ = tx.Commit()
}

// ExportRange is used by finance to pull orders between two dates.
func (s *Service) ExportRange(w http.ResponseWriter, r *http.Request) {
	from := r.URL.Query().Get("from")
	to := r.URL.Query().Get("to")
	var b strings.Builder
	b.WriteString("SELECT id, reference, customer_id, event_id, total_cents, status, created_at FROM orders")
	fmt.Fprintf(&b, " WHERE created_at BETWEEN '%s' AND '%s'", from, to)
	// vuln: CWE-89
	rows, err := s.DB.Query(b.String())
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	writeOrders(w, rows)
}

// ByPromoCode counts orders that used a promo code, for the promoter dashboard.
func (s *Service) ByPromoCode(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("code")))
	stmt, err := s.DB.PrepareContext(r.Context(), "SELECT id, reference, customer_id, event_id, total_cents, status, created_at FROM orders WHERE promo_code = $1")
	if err != nil {
		http.Error(w, "prepare failed", http.StatusInternalServerError)
		return
	}
	defer stmt.Close()
	// safe: CWE-89
	rows, err := stmt.QueryContext(r.Context(), code)
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	writeOrders(w, rows)
}

const refAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func confirmationCode(n int) string {
	b := make([]byte, n)
	for i := range b {
		// vuln: CWE-338
		b[i] = refAlphabet[mrand.Intn(len(refAlphabet))]
	}
	return string(b)
}

func checkoutNonce() (string, error) {
	buf := make([]byte, 20)
	// safe: CWE-338
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(buf), nil
}

// StartCheckout creates a pending order and hands the customer to the payment page.
func (s *Service) StartCheckout(w http.ResponseWriter, r *http.Request) {
	eventID, err := strconv.ParseInt(r.FormValue("event_id"), 10, 64)
	if err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	ref := confirmationCode(8)
	nonce, err := checkoutNonce()
	if err != nil {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	if _, err := s.DB.ExecContext(r.Context(), "INSERT INTO orders (reference, customer_id, event_id, status, checkout_nonce) VALUES ($1, $2, $3, 'pending', $4)", ref, customerIDFrom(r), eventID, nonce); err != nil {
		http.Error(w, "could not create order", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/pay?ref="+url.QueryEscape(ref)+"&n="+nonce, http.StatusSeeOther)
}

// CompleteCheckout is where the payment page sends the customer back.
func (s *Service) CompleteCheckout(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("ref")
	returnURL := r.URL.Query().Get("return_url")
	if _, err := s.DB.ExecContext(r.Context(), "UPDATE orders SET status = 'paid' WHERE reference = $1 AND status = 'pending'", ref); err != nil {
		http.Error(w, "update failed", http.StatusInternalServerError)
		return
	}
	if returnURL == "" {
		returnURL = "/account/orders"
	}
	// vuln: CWE-601
	http.Redirect(w, r, returnURL, http.StatusFound)
}

// CancelCheckout abandons the pending order and returns to the page the customer came from.
func (s *Service) CancelCheckout(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	back := r.Form.Get("back")
	_, _ = s.DB.ExecContext(r.Context(), "UPDATE orders SET status = 'abandoned' WHERE reference = $1", r.Form.Get("ref"))
	w.Header().Set("Cache-Control", "no-store")
	// vuln: CWE-601
	w.Header().Set("Location", back)
	w.WriteHeader(http.StatusSeeOther)
}

// ContinueShopping redirects after adding tickets to the basket.
func (s *Service) ContinueShopping(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if !isLocalPath(next) {
		next = "/events"
	}
	// safe: CWE-601
	http.Redirect(w, r, next, http.StatusFound)
}

func isLocalPath(p string) bool {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return false
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// BackToEvent goes back to the listing page of the event being bought.
func (s *Service) BackToEvent(w http.ResponseWriter, r *http.Request) {
	eventPage := r.PostFormValue("event_page")
	target := s.SiteBaseURL + "/events"
	if eventPage != "" {
		target = eventPage
	}
	// vuln: CWE-601
	http.Redirect(w, r, target, http.StatusTemporaryRedirect)
}

// Thanks bounces to the order page once the confirmation e-mail has been queued.
func (s *Service) Thanks(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.URL.Query().Get("order"), 10, 64)
	if err != nil {
		http.Redirect(w, r, "/account/orders", http.StatusFound)
		return
	}
	// safe: CWE-601
	http.Redirect(w, r, fmt.Sprintf("%s/account/orders/%d?thanks=1", s.SiteBaseURL, id), http.StatusFound)
}

// jitteredPoll returns how long the order status page waits before polling again.
func jitteredPoll(base time.Duration) time.Duration {
	// safe: CWE-330
	extra := time.Duration(mrand.Int63n(int64(base / 2)))
	return base + extra
}

// giftCardPIN generates the 6-digit PIN printed on a gift voucher.
func giftCardPIN() string {
	r := mrand.New(mrand.NewSource(time.Now().UnixNano()))
	// vuln: CWE-330
	return fmt.Sprintf("%06d", r.Intn(1000000))
}
