// Package auth handles sign-in, consent redirects, cookies and session state.
package auth

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/sessions"
)

type Handler struct {
	Store    *sessions.CookieStore
	Verify   func(user, password string) (int64, bool)
	TeamOf   func(userID, teamID int64) (int64, bool)
	AppHosts map[string]bool
}

var afterLogin = map[string]string{"orders": "/orders", "billing": "/billing"}
var themes = map[string]bool{"light": true, "dark": true}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.Verify(r.FormValue("username"), r.FormValue("password")); !ok {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	next := r.URL.Query().Get("next")
	// vuln: CWE-601
	http.Redirect(w, r, next, http.StatusFound)
}

func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	target := r.FormValue("return_to")
	if target == "" {
		target = "/"
	}
	// vuln: CWE-601
	w.Header().Set("Location", target)
	w.WriteHeader(http.StatusSeeOther)
}

func (h *Handler) ContinueAfterConsent(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("post_consent_url")
	if err != nil {
		http.Redirect(w, r, "/dashboard", http.StatusFound)
		return
	}
	// vuln: CWE-601
	http.Redirect(w, r, c.Value, http.StatusFound)
}

func (h *Handler) LoginSafe(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.Verify(r.FormValue("username"), r.FormValue("password")); !ok {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	next := r.URL.Query().Get("next")
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/"
	}
	// safe: CWE-601
	http.Redirect(w, r, next, http.StatusFound)
}

func (h *Handler) AfterLogin(w http.ResponseWriter, r *http.Request) {
	dest, ok := afterLogin[r.URL.Query().Get("page")]
	if !ok {
		dest = "/dashboard"
	}
	// safe: CWE-601
	http.Redirect(w, r, dest, http.StatusFound)
}

func (h *Handler) OrderMoved(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-601
	http.Redirect(w, r, "/orders/"+strconv.FormatInt(id, 10), http.StatusMovedPermanently)
}

func (h *Handler) RememberDevice(w http.ResponseWriter, r *http.Request) {
	// vuln: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "device_token", Value: newToken(), Path: "/", MaxAge: 90 * 24 * 3600})
}

func (h *Handler) StoreAPIToken(w http.ResponseWriter, r *http.Request) {
	cookie := &http.Cookie{Name: "api_token", Value: r.FormValue("token"), Path: "/", Secure: true}
	cookie.HttpOnly = false
	// vuln: CWE-1004
	http.SetCookie(w, cookie)
}

func (h *Handler) SessionHint(w http.ResponseWriter, r *http.Request) {
	// vuln: CWE-614
	w.Header().Add("Set-Cookie", "session_hint="+newToken()+"; Path=/")
}

func (h *Handler) RememberDeviceSafe(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "device_token", Value: newToken(), Path: "/", MaxAge: 90 * 24 * 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func (h *Handler) Theme(w http.ResponseWriter, r *http.Request) {
	theme := r.PathValue("theme")
	if !themes[theme] {
		theme = "light"
	}
	cookie := http.Cookie{Name: "theme", Value: theme, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	// safe: CWE-614
	http.SetCookie(w, &cookie)
}

func (h *Handler) SessionHintSafe(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-614
	w.Header().Add("Set-Cookie", "session_hint="+newToken()+"; Path=/; Secure; HttpOnly; SameSite=Strict")
}

func (h *Handler) Impersonate(w http.ResponseWriter, r *http.Request) {
	session, _ := h.Store.Get(r, "app-session")
	// vuln: CWE-501
	session.Values["acting_as"] = r.URL.Query().Get("user")
	session.Save(r, w)
}

func (h *Handler) SetRole(w http.ResponseWriter, r *http.Request) {
	session, _ := h.Store.Get(r, "app-session")
	role := r.Header.Get("X-Requested-Role")
	// vuln: CWE-501
	session.Values["role"] = role
	session.Save(r, w)
}

func (h *Handler) SwitchTeam(w http.ResponseWriter, r *http.Request) {
	session, _ := h.Store.Get(r, "app-session")
	// vuln: CWE-501
	session.Values["team_id"] = r.PostFormValue("team")
	session.Save(r, w)
}

func (h *Handler) SwitchTeamSafe(w http.ResponseWriter, r *http.Request) {
	session, _ := h.Store.Get(r, "app-session")
	userID, _ := session.Values["user_id"].(int64)
	requested, err := strconv.ParseInt(r.PostFormValue("team"), 10, 64)
	if err != nil {
		http.Error(w, "bad team", http.StatusBadRequest)
		return
	}
	team, ok := h.TeamOf(userID, requested)
	if !ok {
		http.Error(w, "not a member", http.StatusForbidden)
		return
	}
	// safe: CWE-501
	session.Values["team_id"] = team
	session.Save(r, w)
}

func (h *Handler) ThemeSession(w http.ResponseWriter, r *http.Request) {
	session, _ := h.Store.Get(r, "app-session")
	theme := r.PathValue("theme")
	if !themes[theme] {
		theme = "light"
	}
	// safe: CWE-501
	session.Values["theme"] = theme
	session.Save(r, w)
}

func (h *Handler) LoginSession(w http.ResponseWriter, r *http.Request) {
	userID, ok := h.Verify(r.FormValue("username"), r.FormValue("password"))
	if !ok {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	session, _ := h.Store.Get(r, "app-session")
	// safe: CWE-501
	session.Values["user_id"] = userID
	session.Save(r, w)
}
