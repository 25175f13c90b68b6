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
	texttemplate "text/template"

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

// --- Generalisation cases (issue 15) ------------------------------------------------------
var sortable = map[string]string{"name": "name", "price": "price"}

func productsByBrand(brand string) (*sql.Rows, error) {
	var b strings.Builder
	b.WriteString("SELECT id FROM products WHERE brand = '")
	b.WriteString(brand)
	// ruleid: go-sql-injection
	return db.Query(b.String())
}

func SortedSafe(w http.ResponseWriter, r *http.Request) {
	order, ok := sortable[r.URL.Query().Get("order")]
	if !ok {
		order = "name"
	}
	// ok: go-sql-injection
	db.Query("SELECT id FROM products ORDER BY " + order)
	stmt, _ := db.Prepare("SELECT id FROM products WHERE name = $1")
	// ok: go-sql-injection
	stmt.Query(r.FormValue("q"))
}

func ListByOwner(ctx context.Context, pool *pgxpool.Pool, c *gin.Context) {
	// ruleid: go-sql-injection
	pool.Query(ctx, "SELECT id FROM orders WHERE owner = '"+c.Param("owner")+"'")
	// ok: go-sql-injection
	pool.Query(ctx, "SELECT id FROM orders WHERE owner = $1", c.Param("owner"))
}

func groupMembers(conn *ldap.Conn, group string) {
	// ruleid: go-ldap-injection
	conn.Search(ldap.NewSearchRequest("ou=groups", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(cn="+group+")", nil, nil))
}

var employeeID = regexp.MustCompile(`^[0-9]+$`)

func ManagerSafe(w http.ResponseWriter, r *http.Request, doc *xmlquery.Node) {
	id := r.URL.Query().Get("employee")
	if !employeeID.MatchString(id) {
		http.Error(w, "bad employee id", http.StatusBadRequest)
		return
	}
	// ok: go-xpath-injection
	xmlquery.FindOne(doc, "//employee[@id='"+id+"']")
}

func ExportFile(w http.ResponseWriter, r *http.Request) {
	cookie, _ := r.Cookie("last_export")
	// ruleid: go-path-traversal
	os.Open(filepath.Join("/srv/exports", cookie.Value))
	target := filepath.Join("/srv/uploads", r.FormValue("path"))
	rel, err := filepath.Rel("/srv/uploads", target)
	if err != nil || strings.HasPrefix(rel, "..") {
		return
	}
	// ok: go-path-traversal
	os.Remove(target)
}

func Logout(w http.ResponseWriter, r *http.Request) {
	target := r.FormValue("return_to")
	// ruleid: go-open-redirect
	w.Header().Set("Location", target)
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = "/"
	}
	// ok: go-open-redirect
	http.Redirect(w, r, next, http.StatusFound)
}

func NotFoundSafe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	// ok: go-xss
	io.WriteString(w, "Nothing lives at "+r.URL.Path)
}

func NotFound(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-xss
	io.WriteString(w, "<p>Nothing lives at "+r.URL.Path)
}

type webhook struct{ URL string }

func TestWebhook(w http.ResponseWriter, r *http.Request) {
	var hook webhook
	json.NewDecoder(r.Body).Decode(&hook)
	// ruleid: go-ssrf
	client.Post(hook.URL, "application/json", nil)
	// ok: go-ssrf
	client.Get("https://status.example.com/" + url.PathEscape(hook.URL))
}

func LoginSession(w http.ResponseWriter, r *http.Request) {
	userID, ok := verify(r.FormValue("username"), r.FormValue("password"))
	if !ok {
		return
	}
	session, _ := store.Get(r, "app-session")
	// ok: go-trust-boundary-violation
	session.Values["user_id"] = userID
	// ruleid: go-trust-boundary-violation
	session.Values["role"] = r.Header.Get("X-Role")
}

func OneTimeCode() string {
	// ruleid: go-weak-random-security
	return fmt.Sprintf("%06d", rand.Intn(1000000))
}

func SessionID() string {
	gen := rand.New(rand.NewSource(time.Now().UnixNano()))
	buf := make([]byte, 16)
	// ruleid: go-weak-random-security
	gen.Read(buf)
	return hex.EncodeToString(buf)
}

func RetryJitter() time.Duration {
	// ok: go-weak-random-security
	return time.Duration(rand.Intn(500)) * time.Millisecond
}

func StoreAPIToken(w http.ResponseWriter, r *http.Request) {
	cookie := &http.Cookie{Name: "api_token", Value: "x", Path: "/", Secure: true, HttpOnly: true}
	cookie.HttpOnly = false
	// ruleid: go-insecure-cookie
	http.SetCookie(w, cookie)
	// ruleid: go-insecure-cookie
	w.Header().Add("Set-Cookie", "session_hint="+newToken()+"; Path=/")
	// ok: go-insecure-cookie
	w.Header().Add("Set-Cookie", "session_hint="+newToken()+"; Path=/; Secure; HttpOnly")
}

func DefaultConfig() Config {
	return Config{
		// ruleid: go-hardcoded-secret
		DatabaseURL: "postgres://storefront:Zq7mN4vB8xKp2w@db.internal.example.com:5432/storefront",
		// ok: go-hardcoded-secret
		CacheURL: "redis://cache.internal.example.com:6379/0",
	}
}

func ShipmentsByDriver(c *gin.Context, db *sqlx.DB) {
	var out []string
	// ok: go-sql-injection
	db.Select(&out, "SELECT id FROM shipments WHERE driver = $1", c.Query("driver"))
	// ruleid: go-sql-injection
	db.Select(&out, "SELECT id FROM shipments WHERE driver = '"+c.Query("driver")+"'")
}

func DriverByBadge(c *gin.Context, conn *ldap.Conn) {
	badge := c.Param("badge")
	// ruleid: go-ldap-injection
	conn.Search(&ldap.SearchRequest{BaseDN: "dc=example,dc=org", Filter: "(employeeID=" + badge + ")"})
	// ok: go-ldap-injection
	conn.Search(&ldap.SearchRequest{BaseDN: "dc=example,dc=org", Filter: "(employeeID=" + ldap.EscapeFilter(badge) + ")"})
}

func RemoveManifest(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-path-traversal
	os.Remove(filepath.Join("/srv/manifests", r.URL.Query().Get("name")))
	target := filepath.Join("/srv/manifests", filepath.Clean("/"+r.URL.Query().Get("name")))
	// ok: go-path-traversal
	os.Remove(target)
}

func Continue(c *gin.Context) {
	target, err := c.Cookie("pending_url")
	if err != nil {
		target = "/dashboard"
	}
	// ruleid: go-open-redirect
	c.Header("Location", target)
	// ok: go-open-redirect
	c.Header("Location", "/dashboard")
	c.Status(http.StatusFound)
}

func DriverCard(c *gin.Context) {
	name := c.PostForm("name")
	c.Header("Content-Type", "text/html")
	// ruleid: go-xss
	c.String(http.StatusOK, "<div class=\"card\"><h3>%s</h3></div>", name)
	// ok: go-xss
	c.String(http.StatusOK, "<div class=\"card\"><h3>%s</h3></div>", html.EscapeString(name))
}

func ProbePartner(w http.ResponseWriter, r *http.Request) {
	addr := r.Header.Get("X-Partner-Addr")
	dialer := net.Dialer{Timeout: 3 * time.Second}
	// ruleid: go-ssrf
	conn, _ := dialer.DialContext(context.Background(), "tcp", addr)
	conn.Close()
	// ok: go-ssrf
	conn, _ = dialer.DialContext(context.Background(), "tcp", "partners.example.com:443")
	conn.Close()
}

func SupportSession(w http.ResponseWriter, r *http.Request) {
	// judged where it is set, not twice
	// ok: go-insecure-cookie
	cookie := &http.Cookie{Name: "support_session", Value: "x", Path: "/", MaxAge: 3600}
	// ruleid: go-insecure-cookie
	http.SetCookie(w, cookie)
	hardened := &http.Cookie{Name: "support_session", Value: "x", Path: "/", Secure: true, HttpOnly: true}
	// ok: go-insecure-cookie
	http.SetCookie(w, hardened)
}

// --- third tuning round: guards, session options, lookups, ciphers ------------------------

func isSameSitePath(p string) bool { return len(p) > 1 && p[0] == '/' && p[1] != '/' }

func AfterLogin(w http.ResponseWriter, r *http.Request) {
	dest := r.FormValue("dest")
	if isSameSitePath(dest) {
		// ok: go-open-redirect
		http.Redirect(w, r, dest, http.StatusSeeOther)
		return
	}
	// ruleid: go-open-redirect
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

func ToInvoice(w http.ResponseWriter, r *http.Request) {
	// ok: go-open-redirect
	http.Redirect(w, r, "/invoices/"+url.PathEscape(r.FormValue("id")), http.StatusFound)
	// ruleid: go-open-redirect
	http.Redirect(w, r, "/"+r.FormValue("page"), http.StatusFound)
}

func PickTheme(w http.ResponseWriter, r *http.Request) {
	theme := r.URL.Query().Get("theme")
	sess, _ := store.Get(r, "prefs")
	switch theme {
	case "light", "dark":
		// ok: go-trust-boundary-violation
		sess.Values["theme"] = theme
	default:
		theme = "light"
	}
	// ok: go-open-redirect
	http.Redirect(w, r, "/"+theme, http.StatusFound)
	lang := r.URL.Query().Get("lang")
	switch lang {
	case "en", "fr":
		// ok: go-trust-boundary-violation
		sess.Values["lang"] = lang
	}
	// ruleid: go-trust-boundary-violation
	sess.Values["lang_raw"] = lang
}

func StaffLogin(w http.ResponseWriter, r *http.Request, conn *ldap.Conn) {
	uid := ldap.EscapeFilter(r.FormValue("uid"))
	res, _ := conn.Search(ldap.NewSearchRequest("ou=staff,dc=example,dc=org", ldap.ScopeWholeSubtree, 0, 1, 0, false, "(uid="+uid+")", []string{"dn"}, nil))
	sess, _ := store.Get(r, "staff")
	// ok: go-trust-boundary-violation
	sess.Values["dn"] = res.Entries[0].DN
	// ruleid: go-trust-boundary-violation
	sess.Values["uid"] = r.FormValue("uid")
}

func NewPortalStore() *sessions.CookieStore {
	s := sessions.NewCookieStore([]byte(os.Getenv("PORTAL_KEY")))
	// ruleid: go-insecure-cookie
	s.Options = &sessions.Options{Path: "/", MaxAge: 3600, HttpOnly: true}
	// ok: go-insecure-cookie
	s.Options = &sessions.Options{Path: "/", MaxAge: 3600, Secure: true, HttpOnly: true}
	return s
}

func LegacyBridge(key []byte) {
	// ruleid: go-weak-cipher
	blowfish.NewCipher(key)
	// ok: go-weak-cipher
	aes.NewCipher(key)
	// ruleid: go-weak-cipher
	tls.Dial("tcp", "ldap.example.org:636", &tls.Config{CipherSuites: []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}})
	// ruleid: go-weak-cipher
	tls.Dial("tcp", "ldap.example.org:636", &tls.Config{MinVersion: tls.VersionTLS10})
	// ok: go-weak-cipher
	tls.Dial("tcp", "ldap.example.org:636", &tls.Config{MinVersion: tls.VersionTLS12})
}

func NewSessionKey() string {
	b := make([]byte, 16)
	// ruleid: go-weak-random-security
	mrand.Read(b)
	return hex.EncodeToString(b)
}

func StartOAuth() string {
	// ruleid: go-weak-random-security
	state := strconv.FormatInt(rand.Int63(), 36)
	return state
}

func ResetCode() string {
	var sb strings.Builder
	for i := 0; i < 3; i++ {
		// ruleid: go-weak-random-security
		sb.WriteString(strconv.Itoa(rand.Intn(10)))
	}
	return sb.String()
}

func ShuffleSeats(seats []string) []string {
	var sb strings.Builder
	// ok: go-weak-random-security
	sb.WriteString(strconv.Itoa(rand.Intn(len(seats))))
	return seats
}

type signerConfig struct{ JWTSigningKey []byte }

func configure(cfg *signerConfig) {
	// ruleid: go-hardcoded-secret
	cfg.JWTSigningKey = []byte("portal-signing-7c1e9a2b4d6f8h0j")
	// ok: go-hardcoded-secret
	cfg.JWTSigningKey = []byte(os.Getenv("JWT_SIGNING_KEY"))
}

func echoBanner(c echo.Context) error {
	// ruleid: go-xss
	return c.HTML(http.StatusOK, "<p>Hello "+c.QueryParam("name")+"</p>")
	// ok: go-xss
	return c.HTML(http.StatusOK, "<p>Hello "+html.EscapeString(c.QueryParam("name"))+"</p>")
}

func rosterXPath(c *gin.Context, root *xmlpath.Node) {
	// ruleid: go-xpath-injection
	xmlpath.MustCompile("/roster/student[@id='" + c.Query("id") + "']")
	// ok: go-xpath-injection
	xmlpath.MustCompile("/roster/student/@updated")
}

// --- fourth tuning round ----------------------------------------------------------------------

type searchFilter struct{ Status, Unit string }

func filterFromRequest(r *http.Request) searchFilter {
	return searchFilter{Status: r.URL.Query().Get("status"), Unit: r.URL.Query().Get("unit")}
}

func UnitsByStatus(w http.ResponseWriter, r *http.Request) {
	f := filterFromRequest(r)
	var sb strings.Builder
	sb.WriteString("SELECT id FROM units WHERE status = '")
	sb.WriteString(f.Status)
	sb.WriteString("'")
	// ruleid: go-sql-injection
	db.Query(sb.String())
	args := []any{}
	query := "SELECT id FROM units WHERE 1 = 1"
	if f.Unit != "" {
		args = append(args, f.Unit)
		query += fmt.Sprintf(" AND unit = $%d", len(args))
	}
	// ok: go-sql-injection
	db.Query(query, args...)
}

func OwnerEntry(w http.ResponseWriter, r *http.Request, conn *ldap.Conn) {
	uid := r.PathValue("uid")
	byUID := &ldap.SearchRequest{BaseDN: "ou=owners,dc=example,dc=org", Filter: "(uid=" + uid + ")"}
	// ruleid: go-ldap-injection
	conn.Search(byUID)
	escaped := &ldap.SearchRequest{BaseDN: "ou=owners,dc=example,dc=org", Filter: "(uid=" + ldap.EscapeFilter(uid) + ")"}
	// ok: go-ldap-injection
	conn.Search(escaped)
	// ruleid: go-ldap-injection
	conn.Bind("uid="+r.FormValue("user")+",ou=people,dc=example,dc=org", r.FormValue("password"))
	// ok: go-ldap-injection
	conn.Bind("uid="+ldap.EscapeDN(r.FormValue("user"))+",ou=people,dc=example,dc=org", r.FormValue("password"))
	// ruleid: go-hardcoded-secret
	conn.Bind("cn=reports,ou=services,dc=example,dc=org", "Rep0rts$Svc#2024")
	// ok: go-hardcoded-secret
	conn.Bind("cn=reports,ou=services,dc=example,dc=org", os.Getenv("LDAP_REPORTS_PASSWORD"))
}

func xpathLiteral(s string) string { return "'" + s + "'" }

func AgentByEmail(w http.ResponseWriter, r *http.Request, doc *xmlquery.Node) {
	// ok: go-xpath-injection
	xmlquery.Find(doc, "//agent[email="+xpathLiteral(r.FormValue("email"))+"]")
	// ruleid: go-xpath-injection
	xmlquery.Find(doc, "//agent[email='"+r.FormValue("email")+"']")
}

func SaveScan(c *gin.Context) {
	file, _ := c.FormFile("scan")
	// ruleid: go-path-traversal
	c.SaveUploadedFile(file, filepath.Join("/srv/scans", c.PostForm("folder"), "scan.pdf"))
	// ok: go-path-traversal
	c.SaveUploadedFile(file, filepath.Join("/srv/scans", "incoming"+filepath.Ext(file.Filename)))
}

func localPath(v string) string { return "/" }

func BackTo(c *gin.Context) {
	// ok: go-open-redirect
	c.Redirect(http.StatusSeeOther, localPath(c.PostForm("return_to")))
	next := c.Query("next")
	if u, err := url.Parse(next); err != nil || u.Host != "" || !strings.HasPrefix(next, "/") {
		next = "/home"
	}
	// ok: go-open-redirect
	c.Redirect(http.StatusFound, next)
	// ruleid: go-open-redirect
	c.Redirect(http.StatusFound, c.Query("then"))
}

func Banner(c *gin.Context) {
	var b strings.Builder
	b.WriteString("<h3>")
	b.WriteString(c.Param("name"))
	b.WriteString("</h3>")
	// ruleid: go-xss
	c.Writer.WriteString(b.String())
	// ok: go-xss
	c.Writer.WriteString("<h3>" + html.EscapeString(c.Param("name")) + "</h3>")
}

var workOrderText = texttemplate.Must(texttemplate.New("wo").Parse("<p>{{.}}</p>"))

func WorkOrder(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-xss
	workOrderText.Execute(w, r.URL.Query().Get("notes"))
	// ok: go-xss
	workOrderText.Execute(w, html.EscapeString(r.URL.Query().Get("notes")))
}

var otpSource = rand.New(rand.NewSource(42))

func smsOTP() string {
	// ruleid: go-weak-random-security
	return fmt.Sprintf("%06d", otpSource.Intn(1000000))
}

func replayOrder() []int {
	// ok: go-weak-random-security
	return otpSource.Perm(10)
}

func sessionToken() string {
	var sb strings.Builder
	for i := 0; i < 32; i++ {
		// ruleid: go-weak-random-security
		sb.WriteByte("0123456789abcdef"[rand.Intn(16)])
	}
	return sb.String()
}

func SetupCookie(w http.ResponseWriter) {
	setup := http.Cookie{Name: "setup", Value: "1", Path: "/"}
	setup.HttpOnly = true
	// ruleid: go-insecure-cookie
	http.SetCookie(w, &setup)
	done := http.Cookie{Name: "done", Value: "1", Path: "/"}
	done.HttpOnly = true
	done.Secure = true
	// ok: go-insecure-cookie
	http.SetCookie(w, &done)
}

var reportKinds = map[string]bool{"summary": true, "detail": true}

func ReportFor(kind string) {
	if !reportKinds[kind] {
		kind = "summary"
	}
	// ok: go-sql-injection
	db.Query("SELECT * FROM reports_" + kind)
}
