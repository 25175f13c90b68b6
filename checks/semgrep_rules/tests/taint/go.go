// Labelled cases for checks/semgrep_rules/taint/go.yml, and the Go part of the detection
// corpus: "ruleid:" marks a vulnerable line, "ok:" a safe look-alike.
package handlers

import (
	"crypto/aes"
	"crypto/des"
	"database/sql"
	"fmt"
	"html"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/antchfx/xmlquery"
	"github.com/go-ldap/ldap/v3"
	"github.com/gorilla/sessions"
)

var db *sql.DB
var store *sessions.CookieStore
var allowedFiles = map[string]bool{"terms.pdf": true, "privacy.pdf": true}
var allowedRoles = map[string]bool{"viewer": true, "editor": true}

// --- SQL injection (CWE-89) ---------------------------------------------------------------
func Quantity(sku string) (int, error) {
	var qty int
	query := fmt.Sprintf("SELECT quantity FROM stock WHERE sku = '%s'", sku)
	// ruleid: go-sql-injection
	err := db.QueryRow(query).Scan(&qty)
	// ok: go-sql-injection
	err = db.QueryRow("SELECT quantity FROM stock WHERE sku = $1", sku).Scan(&qty)
	return qty, err
}

func Users(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: go-sql-injection
	rows, _ := db.Query("SELECT * FROM users WHERE name = '" + name + "'")
	// ok: go-sql-injection
	same, _ := db.Query("SELECT * FROM users WHERE name = $1", name)
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	// ok: go-sql-injection
	some, _ := db.Query(fmt.Sprintf("SELECT * FROM users LIMIT %d", limit))
	fmt.Println(rows, same, some)
}

// --- Command injection (CWE-78) -----------------------------------------------------------
func Maintenance(w http.ResponseWriter, r *http.Request) {
	input := r.URL.Query().Get("cmd")
	// ruleid: go-command-injection
	out, _ := exec.Command("sh", "-c", input).CombinedOutput()
	host := r.URL.Query().Get("host")
	// ok: go-command-injection
	ping, _ := exec.Command("ping", "-c", "1", host).CombinedOutput()
	// ok: go-command-injection
	uptime, _ := exec.Command("sh", "-c", "uptime").CombinedOutput()
	w.Header().Set("Content-Type", "text/plain")
	fmt.Println(out, ping, uptime)
}

// --- LDAP injection (CWE-90) --------------------------------------------------------------
func Directory(w http.ResponseWriter, r *http.Request) {
	user := r.FormValue("user")
	// ruleid: go-ldap-injection
	search := ldap.NewSearchRequest("dc=example", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(uid="+user+")", nil, nil)
	// ok: go-ldap-injection
	safe := ldap.NewSearchRequest("dc=example", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(uid="+ldap.EscapeFilter(user)+")", nil, nil)
	fmt.Println(search, safe)
}

// --- XPath injection (CWE-643) ------------------------------------------------------------
func Catalog(w http.ResponseWriter, r *http.Request) {
	doc, _ := xmlquery.Parse(r.Body)
	title := r.URL.Query().Get("title")
	// ruleid: go-xpath-injection
	books := xmlquery.Find(doc, "//book[title='"+title+"']")
	// ok: go-xpath-injection
	all := xmlquery.Find(doc, "//book")
	fmt.Println(books, all)
}

// --- Path traversal (CWE-22) --------------------------------------------------------------
func Download(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("file")
	// ruleid: go-path-traversal
	data, _ := os.ReadFile(filepath.Join("/srv/files", name))
	// ok: go-path-traversal
	safe, _ := os.ReadFile(filepath.Join("/srv/files", filepath.Base(name)))
	if allowedFiles[name] {
		// ok: go-path-traversal
		http.ServeFile(w, r, filepath.Join("/srv/docs", name))
	}
	fmt.Println(data, safe)
}

// --- Open redirect (CWE-601) --------------------------------------------------------------
func LoginDone(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	// ruleid: go-open-redirect
	http.Redirect(w, r, next, http.StatusFound)
}

func LoginDoneSafe(w http.ResponseWriter, r *http.Request) {
	// ok: go-open-redirect
	http.Redirect(w, r, "/home", http.StatusFound)
}

// --- Cross-site scripting (CWE-79) --------------------------------------------------------
func Hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: go-xss
	fmt.Fprintf(w, "<h1>Hello %s</h1>", name)
	// ok: go-xss
	fmt.Fprintf(w, "<h1>Hello %s</h1>", html.EscapeString(name))
	// ruleid: go-xss
	w.Write([]byte("<p>" + r.FormValue("bio") + "</p>"))
}

// --- Server-side request forgery (CWE-918) ------------------------------------------------
func Preview(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("url")
	// ruleid: go-ssrf
	page, _ := http.Get(target)
	user := r.URL.Query().Get("user")
	// ok: go-ssrf
	profile, _ := http.Get("https://api.example.com/users/" + user)
	fmt.Println(page, profile)
}

// --- Trust boundary violation (CWE-501) ---------------------------------------------------
func Prefs(w http.ResponseWriter, r *http.Request) {
	session, _ := store.Get(r, "app")
	// ruleid: go-trust-boundary-violation
	session.Values["role"] = r.FormValue("role")
	role := r.FormValue("requested")
	if allowedRoles[role] {
		// ok: go-trust-boundary-violation
		session.Values["requested"] = role
	}
	session.Save(r, w)
}

// --- Weak cryptography (CWE-327) ----------------------------------------------------------
func Encrypt(key []byte) {
	// ruleid: go-weak-cipher
	legacy, _ := des.NewCipher(key)
	// ok: go-weak-cipher
	modern, _ := aes.NewCipher(key)
	fmt.Println(legacy, modern)
}

// --- Weak randomness in a security context (CWE-330) --------------------------------------
func NewResetToken() string {
	// ruleid: go-weak-random-security
	resetToken := strconv.Itoa(rand.Int())
	// ok: go-weak-random-security
	retryDelay := rand.Intn(100)
	return resetToken + strconv.Itoa(retryDelay)
}

// --- Insecure cookie (CWE-614) ------------------------------------------------------------
func StartSession(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-insecure-cookie
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "x"})
	// ok: go-insecure-cookie
	http.SetCookie(w, &http.Cookie{Name: "sid2", Value: "y", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// --- Hard-coded secret (CWE-798) ----------------------------------------------------------
// ruleid: go-hardcoded-secret
const stripeAPIKey = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"

// ok: go-hardcoded-secret
var githubToken = os.Getenv("GITHUB_TOKEN")

// ok: go-hardcoded-secret
const passwordField = "password"
