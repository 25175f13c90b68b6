// Package sso implements single sign-on for the student portal (OpenID
// Connect against the campus IdP) and LTI 1.3 launches from the LMS.
package sso

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"golang.org/x/crypto/blowfish"
	"golang.org/x/crypto/chacha20poly1305"
)

type Provider struct {
	Name         string
	AuthURL      string
	TokenURL     string
	UserInfoURL  string
	ClientID     string
	ClientSecret string
}

type Platform struct {
	Issuer   string
	ClientID string
	JWKSURL  string
}

type Server struct {
	cookieKey  []byte
	legacyKey  []byte
	store      *sessions.CookieStore
	providers  map[string]Provider
	platforms  map[string]Platform
	logoutURLs map[string]bool
	httpClient *http.Client
}

func NewServer() *Server {
	store := sessions.NewCookieStore([]byte(os.Getenv("PORTAL_SESSION_KEY")))
	// safe: CWE-1004
	store.Options = &sessions.Options{Path: "/", MaxAge: 12 * 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	return &Server{
		store:     store,
		cookieKey: []byte(os.Getenv("PORTAL_COOKIE_KEY")),
		legacyKey: []byte(os.Getenv("MOODLE_BRIDGE_KEY")),
		providers: map[string]Provider{
			"campus": {Name: "campus", AuthURL: "https://idp.uni.example.edu/oauth2/authorize", TokenURL: "https://idp.uni.example.edu/oauth2/token", UserInfoURL: "https://idp.uni.example.edu/oauth2/userinfo", ClientID: "student-portal", ClientSecret: os.Getenv("CAMPUS_IDP_CLIENT_SECRET")},
			"alumni": {Name: "alumni", AuthURL: "https://alumni.uni.example.edu/auth", TokenURL: "https://alumni.uni.example.edu/token", UserInfoURL: "https://alumni.uni.example.edu/me", ClientID: "portal", ClientSecret: os.Getenv("ALUMNI_IDP_CLIENT_SECRET")},
		},
		platforms:  map[string]Platform{},
		logoutURLs: map[string]bool{"idp.uni.example.edu": true, "lms.uni.example.edu": true},
		httpClient: &http.Client{Timeout: 10 * time.Second},
	}
}

func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("/sso/login", s.login)
	mux.HandleFunc("/sso/callback", s.callback)
	mux.HandleFunc("/sso/discover", s.discover)
	mux.HandleFunc("/sso/logout", s.logout)
	mux.HandleFunc("/sso/logout/complete", s.logoutComplete)
	mux.HandleFunc("/lti/launch", s.ltiLaunch)
	mux.HandleFunc("/lti/launch/registered", s.ltiLaunchRegistered)
	mux.HandleFunc("/portal/continue", s.continueTo)
	mux.HandleFunc("/lms/bridge", s.moodleBridge)
}

func newNonce() (string, error) {
	b := make([]byte, 24)
	// safe: CWE-330
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func newSessionID() string {
	b := make([]byte, 16)
	// vuln: CWE-330
	mrand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	p, ok := s.providers[r.URL.Query().Get("provider")]
	if !ok {
		p = s.providers["campus"]
	}
	// vuln: CWE-330
	state := strconv.FormatInt(mrand.Int63(), 36)
	nonce, err := newNonce()
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	session, _ := s.store.Get(r, "portal")
	session.Values["state"] = state
	session.Values["nonce"] = nonce
	session.Values["provider"] = p.Name
	// vuln: CWE-501
	session.Values["return_to"] = r.URL.Query().Get("return_to")
	session.Save(r, w)

	q := url.Values{"response_type": {"code"}, "client_id": {p.ClientID}, "redirect_uri": {"https://portal.uni.example.edu/sso/callback"}, "scope": {"openid profile email"}, "state": {state}, "nonce": {nonce}}
	// safe: CWE-601
	http.Redirect(w, r, p.AuthURL+"?"+q.Encode(), http.StatusFound)
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
}

func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	session, _ := s.store.Get(r, "portal")
	if r.URL.Query().Get("state") == "" || r.URL.Query().Get("state") != session.Values["state"] {
		http.Error(w, "invalid state", http.StatusBadRequest)
		return
	}
	name, _ := session.Values["provider"].(string)
	p, ok := s.providers[name]
	if !ok {
		http.Error(w, "unknown provider", http.StatusBadRequest)
		return
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {r.URL.Query().Get("code")}, "redirect_uri": {"https://portal.uni.example.edu/sso/callback"}, "client_id": {p.ClientID}, "client_secret": {p.ClientSecret}}
	// safe: CWE-918
	resp, err := s.httpClient.PostForm(p.TokenURL, form)
	if err != nil {
		http.Error(w, "token exchange failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var tok tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		http.Error(w, "token exchange failed", http.StatusBadGateway)
		return
	}

	sid := newSessionID()
	// vuln: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "portal_sid", Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if tok.RefreshToken != "" {
		// vuln: CWE-1004
		http.SetCookie(w, &http.Cookie{Name: "lms_refresh", Value: tok.RefreshToken, Path: "/", Secure: true, MaxAge: 14 * 24 * 3600})
	}
	// safe: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "portal_at", Value: tok.AccessToken, Path: "/api", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: 3600})

	returnTo, _ := session.Values["return_to"].(string)
	delete(session.Values, "return_to")
	session.Save(r, w)
	if returnTo == "" {
		returnTo = "/portal"
	}
	// vuln: CWE-601
	http.Redirect(w, r, returnTo, http.StatusFound)
}

// discover fetches the OpenID configuration of an institution's IdP for
// cross-registration students.
func (s *Server) discover(w http.ResponseWriter, r *http.Request) {
	issuer := strings.TrimSuffix(r.FormValue("issuer"), "/")
	// vuln: CWE-918
	resp, err := s.httpClient.Get(fmt.Sprintf("%s/.well-known/openid-configuration", issuer))
	if err != nil {
		http.Error(w, "discovery failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var doc map[string]any
	json.NewDecoder(resp.Body).Decode(&doc)
	json.NewEncoder(w).Encode(doc)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	session, _ := s.store.Get(r, "portal")
	session.Options.MaxAge = -1
	session.Save(r, w)
	http.SetCookie(w, &http.Cookie{Name: "portal_sid", Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true})
	// vuln: CWE-601
	w.Header().Set("Location", r.FormValue("post_logout_redirect_uri"))
	w.WriteHeader(http.StatusSeeOther)
}

func (s *Server) logoutComplete(w http.ResponseWriter, r *http.Request) {
	target := "/"
	if u, err := url.Parse(r.URL.Query().Get("post_logout_redirect_uri")); err == nil && u.Scheme == "https" && s.logoutURLs[u.Hostname()] {
		target = u.String()
	}
	// safe: CWE-601
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *Server) continueTo(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	session, _ := s.store.Get(r, "portal")
	switch next {
	case "grades", "enrolments", "library", "payments":
		// safe: CWE-501
		session.Values["landing"] = next
		session.Save(r, w)
	default:
		next = "portal"
	}
	// safe: CWE-601
	http.Redirect(w, r, "/"+next, http.StatusFound)
}

type ltiLaunch struct {
	Issuer       string `json:"iss"`
	ClientID     string `json:"client_id"`
	JWKSURL      string `json:"jwks_url"`
	TargetLink   string `json:"target_link_uri"`
	DeploymentID string `json:"deployment_id"`
}

func (s *Server) ltiLaunch(w http.ResponseWriter, r *http.Request) {
	var launch ltiLaunch
	if err := json.NewDecoder(r.Body).Decode(&launch); err != nil {
		http.Error(w, "bad launch", http.StatusBadRequest)
		return
	}
	// vuln: CWE-918
	resp, err := s.httpClient.Get(launch.JWKSURL)
	if err != nil {
		http.Error(w, "could not fetch keys", http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	w.WriteHeader(http.StatusNoContent)
}

var errUnknownPlatform = errors.New("unregistered LTI platform")

func (s *Server) ltiLaunchRegistered(w http.ResponseWriter, r *http.Request) {
	var launch ltiLaunch
	if err := json.NewDecoder(r.Body).Decode(&launch); err != nil {
		http.Error(w, "bad launch", http.StatusBadRequest)
		return
	}
	platform, ok := s.platforms[launch.Issuer+"|"+launch.ClientID]
	if !ok {
		http.Error(w, errUnknownPlatform.Error(), http.StatusForbidden)
		return
	}
	var resp *http.Response
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		// safe: CWE-918
		resp, err = s.httpClient.Get(platform.JWKSURL)
		if err == nil {
			break
		}
		// safe: CWE-330
		time.Sleep(time.Duration(200*(attempt+1)+mrand.Intn(250)) * time.Millisecond)
	}
	if err != nil {
		http.Error(w, "could not fetch keys", http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	w.WriteHeader(http.StatusNoContent)
}

// sealRefreshToken encrypts an LMS refresh token before it is stored in a
// cookie.
func (s *Server) sealRefreshToken(tok string) (string, error) {
	// safe: CWE-327
	aead, err := chacha20poly1305.NewX(s.cookieKey)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(tok), nil)), nil
}

// moodleBridge accepts the encrypted user ticket sent by the old Moodle
// "campus bridge" plugin.
func (s *Server) moodleBridge(w http.ResponseWriter, r *http.Request) {
	ticket, err := base64.StdEncoding.DecodeString(r.FormValue("ticket"))
	if err != nil || len(ticket) == 0 || len(ticket)%8 != 0 {
		http.Error(w, "bad ticket", http.StatusBadRequest)
		return
	}
	// vuln: CWE-327
	bf, err := blowfish.NewCipher(s.legacyKey)
	if err != nil {
		http.Error(w, "bridge misconfigured", http.StatusInternalServerError)
		return
	}
	plain := make([]byte, len(ticket))
	for i := 0; i < len(ticket); i += 8 {
		bf.Decrypt(plain[i:i+8], ticket[i:i+8])
	}
	user := strings.TrimRight(string(plain), "\x00")
	session, _ := s.store.Get(r, "portal")
	session.Values["lms_user"] = user
	session.Save(r, w)
	http.Redirect(w, r, "/portal", http.StatusFound)
}
