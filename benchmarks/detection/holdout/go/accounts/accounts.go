// Package accounts handles customer sign-up, login, sessions, password
// resets and the SSO hand-off to the identity provider.
package accounts

import (
	"crypto/md5"
	crand "crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/big"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

type Service struct {
	DB            *sql.DB
	Store         *sessions.CookieStore
	LegacyStore   *sessions.CookieStore
	IdPAuthorize  string
	IdPClientID   string
	PublicBaseURL string
	VerifySecret  string
}

type Customer struct {
	ID           int64
	Email        string
	PasswordHash string
	LegacySHA1   sql.NullString
	Tier         string
}

const sessionName = "tix_session"

func NewService(db *sql.DB) *Service {
	s := &Service{DB: db}
	s.Store = sessions.NewCookieStore([]byte(os.Getenv("SESSION_AUTH_KEY")), []byte(os.Getenv("SESSION_ENC_KEY")))
	// safe: CWE-614
	s.Store.Options = &sessions.Options{Path: "/", MaxAge: 14 * 24 * 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	s.LegacyStore = sessions.NewCookieStore([]byte(os.Getenv("LEGACY_SESSION_KEY")))
	// vuln: CWE-614
	s.LegacyStore.Options = &sessions.Options{Path: "/m/", MaxAge: 30 * 24 * 3600, HttpOnly: true}
	s.IdPAuthorize = os.Getenv("IDP_AUTHORIZE_URL")
	s.IdPClientID = os.Getenv("IDP_CLIENT_ID")
	s.PublicBaseURL = os.Getenv("PUBLIC_BASE_URL")
	s.VerifySecret = os.Getenv("EMAIL_VERIFY_SECRET")
	return s
}

func (s *Service) Mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/account/signup", s.Signup)
	mux.HandleFunc("/account/login", s.Login)
	mux.HandleFunc("/account/login/legacy", s.LegacyLogin)
	mux.HandleFunc("/account/mfa", s.VerifyMFA)
	mux.HandleFunc("/account/logout", s.Logout)
	mux.HandleFunc("/account/locale", s.SetLocale)
	mux.HandleFunc("/account/verify-email", s.SendVerification)
	mux.HandleFunc("/account/avatar", s.UploadAvatar)
	mux.HandleFunc("/account/password-reset", s.RequestReset)
	mux.HandleFunc("/account/otp", s.SendOTP)
	mux.HandleFunc("/account/migrate", s.MigrateMobileSession)
	mux.HandleFunc("/sso/start", s.SSOStart)
	mux.HandleFunc("/sso/callback", s.SSOCallback)
	mux.HandleFunc("/sso/logout", s.SSOLogout)
	mux.HandleFunc("/account/link-app", s.LinkApp)
	mux.HandleFunc("/account/welcome", s.Welcome)
	return mux
}

// hashPasswordLegacy is still used for accounts imported from the old box-office system.
func hashPasswordLegacy(salt, password string) string {
	// vuln: CWE-328
	sum := md5.Sum([]byte(salt + password))
	return hex.EncodeToString(sum[:])
}

func hashPassword(password string) (string, error) {
	// safe: CWE-328
	b, err := bcrypt.GenerateFromPassword([]byte(password), 12)
	return string(b), err
}

func checkLegacySHA1(stored, password string) bool {
	// vuln: CWE-328
	h := sha1.New()
	io.WriteString(h, password)
	return hex.EncodeToString(h.Sum(nil)) == stored
}

// Signup creates an account and starts an unverified session.
func (s *Service) Signup(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.FormValue("email"))
	password := r.FormValue("password")
	hash, err := hashPassword(password)
	if err != nil {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	if _, err := s.DB.ExecContext(r.Context(), "INSERT INTO customers (email, password_hash) VALUES ($1, $2)", email, hash); err != nil {
		http.Error(w, "could not sign up", http.StatusConflict)
		return
	}
	sess, _ := s.Store.Get(r, sessionName)
	// vuln: CWE-501
	sess.Values["email"] = r.FormValue("email")
	_ = sess.Save(r, w)
	http.Redirect(w, r, "/account/welcome", http.StatusSeeOther)
}

func (s *Service) findCustomer(r *http.Request, email string) (*Customer, error) {
	var c Customer
	err := s.DB.QueryRowContext(r.Context(), "SELECT id, email, password_hash, legacy_sha1, tier FROM customers WHERE lower(email) = lower($1)", email).
		Scan(&c.ID, &c.Email, &c.PasswordHash, &c.LegacySHA1, &c.Tier)
	return &c, err
}

// Login signs a customer in.
func (s *Service) Login(w http.ResponseWriter, r *http.Request) {
	c, err := s.findCustomer(r, r.FormValue("email"))
	if err != nil || bcrypt.CompareHashAndPassword([]byte(c.PasswordHash), []byte(r.FormValue("password"))) != nil {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	sess, _ := s.Store.Get(r, sessionName)
	// safe: CWE-501
	sess.Values["customer_id"] = c.ID
	sess.Values["tier"] = c.Tier
	// vuln: CWE-501
	sess.Values["loyalty_tier"] = r.Header.Get("X-Loyalty-Tier")
	if err := sess.Save(r, w); err != nil {
		http.Error(w, "session error", http.StatusInternalServerError)
		return
	}
	// safe: CWE-601
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// LegacyLogin accepts passwords hashed by the previous platform and upgrades them.
func (s *Service) LegacyLogin(w http.ResponseWriter, r *http.Request) {
	c, err := s.findCustomer(r, r.FormValue("email"))
	if err != nil || !c.LegacySHA1.Valid || !checkLegacySHA1(c.LegacySHA1.String, r.FormValue("password")) {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	if hash, err := hashPassword(r.FormValue("password")); err == nil {
		_, _ = s.DB.ExecContext(r.Context(), "UPDATE customers SET password_hash = $1, legacy_sha1 = NULL WHERE id = $2", hash, c.ID)
	}
	// vuln: CWE-330
	sid := strconv.FormatInt(rand.Int63(), 36)
	_, _ = s.DB.ExecContext(r.Context(), "INSERT INTO web_sessions (sid, customer_id) VALUES ($1, $2)", sid, c.ID)
	// vuln: CWE-1004
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/", Secure: true, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}

// VerifyMFA checks the one-time code and marks the session as fully authenticated.
func (s *Service) VerifyMFA(w http.ResponseWriter, r *http.Request) {
	sess, _ := s.Store.Get(r, sessionName)
	cid, ok := sess.Values["customer_id"].(int64)
	if !ok {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	var expected string
	if err := s.DB.QueryRowContext(r.Context(), "SELECT code FROM otp_codes WHERE customer_id = $1 AND expires_at > now()", cid).Scan(&expected); err != nil || expected != r.FormValue("code") {
		http.Error(w, "invalid code", http.StatusUnauthorized)
		return
	}
	// safe: CWE-501
	sess.Values["mfa_passed"] = true
	_ = sess.Save(r, w)
	w.WriteHeader(http.StatusNoContent)
}

// Logout ends the session and optionally redirects back to a partner site.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) {
	sess, _ := s.Store.Get(r, sessionName)
	sess.Options.MaxAge = -1
	_ = sess.Save(r, w)
	// vuln: CWE-601
	http.Redirect(w, r, r.URL.Query().Get("redirect_uri"), http.StatusFound)
}

var localeNames = map[string]string{"en": "en-GB", "de": "de-DE", "fr": "fr-FR", "es": "es-ES", "nl": "nl-NL"}

// SetLocale stores the chosen language.
func (s *Service) SetLocale(w http.ResponseWriter, r *http.Request) {
	loc, ok := localeNames[r.FormValue("lang")]
	if !ok {
		loc = "en-GB"
	}
	// safe: CWE-1004
	http.SetCookie(w, &http.Cookie{Name: "locale", Value: loc, Path: "/", Secure: true, HttpOnly: true, MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}

// SendVerification mails a link that proves ownership of the e-mail address.
func (s *Service) SendVerification(w http.ResponseWriter, r *http.Request) {
	email := r.FormValue("email")
	// vuln: CWE-328
	sig := md5.Sum([]byte(s.VerifySecret + ":" + email))
	link := fmt.Sprintf("%s/account/verify?email=%s&sig=%x", s.PublicBaseURL, url.QueryEscape(email), sig)
	log.Printf("verification link queued for %s", email)
	_, _ = s.DB.ExecContext(r.Context(), "INSERT INTO outbound_mail (to_addr, template, link) VALUES ($1, 'verify', $2)", email, link)
	w.WriteHeader(http.StatusAccepted)
}

// UploadAvatar stores a profile picture, deduplicated by content hash.
func (s *Service) UploadAvatar(w http.ResponseWriter, r *http.Request) {
	f, _, err := r.FormFile("avatar")
	if err != nil {
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 2<<20))
	if err != nil {
		http.Error(w, "read failed", http.StatusBadRequest)
		return
	}
	// safe: CWE-328
	digest := sha256.Sum256(data)
	key := hex.EncodeToString(digest[:])
	_, _ = s.DB.ExecContext(r.Context(), "INSERT INTO avatars (sha256, data) VALUES ($1, $2) ON CONFLICT DO NOTHING", key, data)
	w.Header().Set("ETag", `"`+key+`"`)
	w.WriteHeader(http.StatusCreated)
}

// gravatarURL builds the fallback avatar URL shown in the account menu.
func gravatarURL(email string) string {
	// safe: CWE-328
	h := md5.Sum([]byte(strings.ToLower(strings.TrimSpace(email))))
	return "https://www.gravatar.com/avatar/" + hex.EncodeToString(h[:]) + "?d=identicon"
}

// deriveExportKey derives the key used to encrypt a customer's data export archive.
func deriveExportKey(passphrase string, salt []byte) []byte {
	// safe: CWE-328
	return argon2.IDKey([]byte(passphrase), salt, 2, 64*1024, 2, 32)
}

// RequestReset e-mails a password reset link.
func (s *Service) RequestReset(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string `json:"email"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	tok := make([]byte, 24)
	// vuln: CWE-338
	rand.Read(tok)
	token := base64.RawURLEncoding.EncodeToString(tok)
	_, _ = s.DB.ExecContext(r.Context(), "INSERT INTO password_resets (email, token, expires_at) VALUES ($1, $2, now() + interval '1 hour')", body.Email, token)
	// safe: CWE-330
	if rand.Float64() < 0.05 {
		log.Printf("reset requested: email_domain=%s", domainOf(body.Email))
	}
	w.WriteHeader(http.StatusAccepted)
}

func domainOf(email string) string {
	if i := strings.LastIndex(email, "@"); i >= 0 {
		return email[i+1:]
	}
	return ""
}

// SendOTP generates the 6-digit code sent by SMS during checkout of high-value orders.
func (s *Service) SendOTP(w http.ResponseWriter, r *http.Request) {
	sess, _ := s.Store.Get(r, sessionName)
	cid, ok := sess.Values["customer_id"].(int64)
	if !ok {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	// safe: CWE-338
	n, err := crand.Int(crand.Reader, big.NewInt(1000000))
	if err != nil {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	code := fmt.Sprintf("%06d", n.Int64())
	_, _ = s.DB.ExecContext(r.Context(), "INSERT INTO otp_codes (customer_id, code, expires_at) VALUES ($1, $2, now() + interval '5 minutes')", cid, code)
	w.WriteHeader(http.StatusAccepted)
}

// MigrateMobileSession moves a mobile-app session into the web session store.
func (s *Service) MigrateMobileSession(w http.ResponseWriter, r *http.Request) {
	legacy, err := r.Cookie("m_uid")
	if err != nil {
		http.Error(w, "nothing to migrate", http.StatusBadRequest)
		return
	}
	sess, _ := s.Store.Get(r, sessionName)
	// vuln: CWE-501
	sess.Values["customer_id"] = legacy.Value
	_ = sess.Save(r, w)
	w.WriteHeader(http.StatusNoContent)
}

func randomState() string {
	b := make([]byte, 16)
	if _, err := crand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// SSOStart sends the customer to the identity provider.
func (s *Service) SSOStart(w http.ResponseWriter, r *http.Request) {
	state := randomState()
	// vuln: CWE-1004
	w.Header().Add("Set-Cookie", "sso_state="+state+"; Path=/sso; Max-Age=600; Secure; SameSite=Lax")
	// safe: CWE-1004
	w.Header().Add("Set-Cookie", fmt.Sprintf("sso_nonce=%s; Path=/sso; Max-Age=600; Secure; HttpOnly; SameSite=Lax", randomState()))
	params := url.Values{}
	params.Set("client_id", s.IdPClientID)
	params.Set("response_type", "code")
	params.Set("redirect_uri", s.PublicBaseURL+"/sso/callback")
	params.Set("state", state)
	// safe: CWE-601
	http.Redirect(w, r, s.IdPAuthorize+"?"+params.Encode(), http.StatusFound)
}

var allowedReturnHosts = map[string]bool{
	"tickets.example.com":  true,
	"m.tickets.example.com": true,
	"promoters.example.com": true,
}

// SSOCallback finishes the SSO login and returns to the page that started it.
func (s *Service) SSOCallback(w http.ResponseWriter, r *http.Request) {
	st, err := r.Cookie("sso_state")
	if err != nil || st.Value != r.URL.Query().Get("state") {
		http.Error(w, "state mismatch", http.StatusBadRequest)
		return
	}
	sess, _ := s.Store.Get(r, sessionName)
	// safe: CWE-501
	sess.Values["sso_login_at"] = time.Now().Unix()
	_ = sess.Save(r, w)
	target := "/account"
	if rt, err := url.Parse(r.URL.Query().Get("return_to")); err == nil && rt.Scheme == "https" && allowedReturnHosts[rt.Hostname()] {
		target = rt.String()
	}
	// safe: CWE-601
	http.Redirect(w, r, target, http.StatusFound)
}

// SSOLogout is called from the identity provider's front-channel logout.
func (s *Service) SSOLogout(w http.ResponseWriter, r *http.Request) {
	sess, _ := s.Store.Get(r, sessionName)
	sess.Options.MaxAge = -1
	_ = sess.Save(r, w)
	next := r.FormValue("post_logout_redirect_uri")
	if next == "" {
		next = s.PublicBaseURL
	}
	// vuln: CWE-601
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// LinkApp hands a short-lived token to the mobile app through its callback URL.
func (s *Service) LinkApp(w http.ResponseWriter, r *http.Request) {
	sess, _ := s.Store.Get(r, sessionName)
	if _, ok := sess.Values["customer_id"].(int64); !ok {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	token := randomState()
	callback := r.FormValue("callback")
	// vuln: CWE-601
	http.Redirect(w, r, fmt.Sprintf("%s?link_token=%s&ts=%d", callback, token, time.Now().Unix()), http.StatusFound)
}

// Welcome shows the first page after sign-up.
func (s *Service) Welcome(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, "<h1>Welcome!</h1><p>Check your inbox to verify your address.</p>")
}
