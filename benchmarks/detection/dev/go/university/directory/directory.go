// Package directory is the staff directory backed by the university's LDAP
// server: people search, department listings, staff login and photos.
package directory

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/gorilla/mux"
	"github.com/gorilla/sessions"
)

const (
	ldapURL = "ldaps://ldap.uni.example.edu:636"
	baseDN  = "ou=people,dc=uni,dc=example,dc=edu"
	bindDN  = "cn=directory-svc,ou=services,dc=uni,dc=example,dc=edu"
	// vuln: CWE-798
	bindPassword = "Dir$ync-2024!svc#77q"
)

var staffAttrs = []string{"uid", "cn", "mail", "telephoneNumber", "departmentNumber", "title"}

var resultsTmpl = template.Must(template.New("results").Parse(`<h2>Staff directory</h2>
<p>{{len .Entries}} results for {{.Query}}</p>
<ul>{{range .Entries}}<li>{{.GetAttributeValue "cn"}} &ndash; {{.GetAttributeValue "title"}}</li>{{end}}</ul>`))

type Directory struct {
	store *sessions.CookieStore
}

func New() *Directory {
	store := sessions.NewCookieStore([]byte(os.Getenv("DIRECTORY_SESSION_KEY")))
	// vuln: CWE-614
	store.Options = &sessions.Options{Path: "/", MaxAge: 8 * 3600, HttpOnly: true}
	return &Directory{store: store}
}

func (d *Directory) Router() *mux.Router {
	r := mux.NewRouter()
	r.HandleFunc("/staff", d.search).Methods(http.MethodGet)
	r.HandleFunc("/staff/quick", d.quickSearch).Methods(http.MethodGet)
	r.HandleFunc("/staff/by-number/{number}", d.byEmployeeNumber).Methods(http.MethodGet)
	r.HandleFunc("/departments/{dept}/staff", d.department).Methods(http.MethodGet)
	r.HandleFunc("/staff/login", d.login).Methods(http.MethodPost)
	r.HandleFunc("/staff/groups/check", d.checkGroup).Methods(http.MethodPost)
	r.HandleFunc("/staff/photo", d.photo).Methods(http.MethodGet)
	r.HandleFunc("/staff/{uid}/photo", d.photoByUID).Methods(http.MethodGet)
	r.HandleFunc("/staff/preferences", d.preferences).Methods(http.MethodPost)
	return r
}

func connect() (*ldap.Conn, error) {
	// safe: CWE-327
	conn, err := ldap.DialURL(ldapURL, ldap.DialWithTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12}))
	if err != nil {
		return nil, err
	}
	if err := conn.Bind(bindDN, bindPassword); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// connectReplica talks to the read-only replica in the old data centre,
// which still runs an OpenLDAP build that only offers 3DES suites.
func connectReplica() (*ldap.Conn, error) {
	// vuln: CWE-327
	conn, err := ldap.DialURL("ldaps://ldap-ro.dc1.uni.example.edu:636", ldap.DialWithTLSConfig(&tls.Config{MinVersion: tls.VersionTLS10, CipherSuites: []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}}))
	if err != nil {
		return nil, err
	}
	dn, pw := serviceCredentials()
	if err := conn.Bind(dn, pw); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func serviceCredentials() (string, string) {
	// safe: CWE-798
	return os.Getenv("LDAP_BIND_DN"), os.Getenv("LDAP_BIND_PASSWORD")
}

func (d *Directory) search(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	conn, err := connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	// vuln: CWE-90
	res, err := conn.Search(ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 50, 10, false, "(&(objectClass=inetOrgPerson)(cn=*"+name+"*))", staffAttrs, nil))
	if err != nil {
		http.Error(w, "search failed", http.StatusInternalServerError)
		return
	}
	// safe: CWE-79
	resultsTmpl.Execute(w, map[string]any{"Query": name, "Entries": res.Entries})
}

func (d *Directory) quickSearch(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	conn, err := connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	// safe: CWE-90
	res, err := conn.Search(ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 20, 5, false, fmt.Sprintf("(&(objectClass=inetOrgPerson)(|(cn=*%s*)(mail=%s*)))", ldap.EscapeFilter(name), ldap.EscapeFilter(name)), staffAttrs, nil))
	if err != nil {
		http.Error(w, "search failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// vuln: CWE-79
	fmt.Fprintf(w, "<p>%d matches for &ldquo;%s&rdquo;</p><ul>", len(res.Entries), name)
	for _, e := range res.Entries {
		fmt.Fprintf(w, "<li>%s</li>", template.HTMLEscapeString(e.GetAttributeValue("cn")))
	}
	io.WriteString(w, "</ul>")
}

func (d *Directory) byEmployeeNumber(w http.ResponseWriter, r *http.Request) {
	number, err := strconv.Atoi(mux.Vars(r)["number"])
	if err != nil {
		http.Error(w, "bad employee number", http.StatusBadRequest)
		return
	}
	conn, err := connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	// safe: CWE-90
	res, err := conn.Search(ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1, 5, false, fmt.Sprintf("(employeeNumber=%d)", number), staffAttrs, nil))
	if err != nil || len(res.Entries) == 0 {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(res.Entries[0].Attributes)
}

func (d *Directory) department(w http.ResponseWriter, r *http.Request) {
	dept := mux.Vars(r)["dept"]
	conn, err := connect()
	if err != nil {
		conn, err = connectReplica()
	}
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	// vuln: CWE-90
	res, err := conn.Search(ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 10, false, fmt.Sprintf("(&(objectClass=inetOrgPerson)(departmentNumber=%s))", dept), staffAttrs, nil))
	if err != nil {
		http.Error(w, "search failed", http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(res.Entries)
}

func (d *Directory) login(w http.ResponseWriter, r *http.Request) {
	username := r.PostFormValue("username")
	password := r.PostFormValue("password")
	if username == "" || password == "" {
		http.Error(w, "missing credentials", http.StatusBadRequest)
		return
	}
	conn, err := connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	var res *ldap.SearchResult
	if r.URL.Query().Get("legacy") == "1" {
		// vuln: CWE-90
		res, err = conn.Search(ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 2, 5, false, "(&(objectClass=inetOrgPerson)(uid="+username+"))", []string{"dn", "uid"}, nil))
	} else {
		// safe: CWE-90
		res, err = conn.Search(ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 2, 5, false, "(&(objectClass=inetOrgPerson)(uid="+ldap.EscapeFilter(username)+"))", []string{"dn", "uid"}, nil))
	}
	if err != nil || len(res.Entries) != 1 {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	entry := res.Entries[0]
	if err := conn.Bind(entry.DN, password); err != nil {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	session, _ := d.store.Get(r, "staff")
	// safe: CWE-501
	session.Values["dn"] = entry.DN
	session.Values["uid"] = entry.GetAttributeValue("uid")
	// vuln: CWE-501
	session.Values["department"] = r.PostFormValue("department")
	session.Save(r, w)
	// vuln: CWE-1004
	http.SetCookie(w, &http.Cookie{Name: "staff_widget_token", Value: widgetToken(entry.DN), Path: "/", Secure: true, SameSite: http.SameSiteStrictMode, MaxAge: 8 * 3600})
	http.Redirect(w, r, "/staff", http.StatusSeeOther)
}

// widgetToken authenticates the directory search widget embedded in the
// intranet pages.
func widgetToken(dn string) string {
	mac := hmac.New(sha256.New, []byte(os.Getenv("DIRECTORY_WIDGET_KEY")))
	mac.Write([]byte(dn + "|" + strconv.FormatInt(time.Now().Unix(), 10)))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

type groupCheck struct {
	Group string `json:"group"`
	UID   string `json:"uid"`
}

func (d *Directory) checkGroup(w http.ResponseWriter, r *http.Request) {
	var req groupCheck
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	conn, err := connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	filter := "(&(objectClass=posixGroup)(cn=" + req.Group + ")(memberUid=" + req.UID + "))"
	// vuln: CWE-90
	res, err := conn.Search(ldap.NewSearchRequest("ou=groups,dc=uni,dc=example,dc=edu", ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 1, 5, false, filter, []string{"cn"}, nil))
	if err != nil {
		http.Error(w, "search failed", http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(map[string]bool{"member": len(res.Entries) > 0})
}

// safe: CWE-90
var activeStaffRequest = ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 30, false, "(&(objectClass=inetOrgPerson)(!(employeeStatus=terminated)))", staffAttrs, nil)

func (d *Directory) photo(w http.ResponseWriter, r *http.Request) {
	src := r.URL.Query().Get("src")
	// vuln: CWE-918
	resp, err := http.Get(src)
	if err != nil {
		http.Error(w, "photo unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	io.Copy(w, resp.Body)
}

func (d *Directory) photoByUID(w http.ResponseWriter, r *http.Request) {
	conn, err := connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	res, err := conn.Search(ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1, 5, false, "(uid="+ldap.EscapeFilter(mux.Vars(r)["uid"])+")", []string{"employeeNumber"}, nil))
	if err != nil || len(res.Entries) == 0 {
		http.NotFound(w, r)
		return
	}
	number, err := strconv.Atoi(res.Entries[0].GetAttributeValue("employeeNumber"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-918
	resp, err := http.Get("https://photos.uni.example.edu/staff/" + strconv.Itoa(number) + ".jpg")
	if err != nil {
		http.Error(w, "photo unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	io.Copy(w, resp.Body)
}

func (d *Directory) preferences(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "directory_view", Value: r.PostFormValue("view"), Path: "/staff", MaxAge: 365 * 24 * 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/staff", http.StatusSeeOther)
}
