// Package directory exposes the staff and property-owner directory, which
// lives in the company LDAP, and handles LDAP sign-in for staff.
package directory

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

const (
	ldapURL    = "ldaps://ldap.corp.rent.example.com:636"
	peopleBase = "ou=people,dc=rent,dc=example,dc=com"
	ownersBase = "ou=owners,dc=rent,dc=example,dc=com"
)

// vuln: CWE-798
const bindPassword = "Dir3ctory!Svc-2024"

type Directory struct {
	BindDN       string
	BindPassword string
}

type Person struct {
	DN         string `json:"dn"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	Department string `json:"department"`
}

var personAttrs = []string{"cn", "mail", "telephoneNumber", "departmentNumber"}

func NewDirectory() *Directory {
	// safe: CWE-798
	return &Directory{BindDN: os.Getenv("LDAP_BIND_DN"), BindPassword: os.Getenv("LDAP_BIND_PASSWORD")}
}

func NewDirectoryFromFile(path string) (*Directory, error) {
	// safe: CWE-798
	secret, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &Directory{BindDN: "cn=svc-directory,ou=services,dc=rent,dc=example,dc=com", BindPassword: strings.TrimSpace(string(secret))}, nil
}

func (d *Directory) connect() (*ldap.Conn, error) {
	conn, err := ldap.DialURL(ldapURL, ldap.DialWithTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12}))
	if err != nil {
		return nil, err
	}
	if err := conn.Bind(d.BindDN, d.BindPassword); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// connectReporting is used by the nightly owner-statement job.
func connectReporting() (*ldap.Conn, error) {
	conn, err := ldap.DialURL(ldapURL)
	if err != nil {
		return nil, err
	}
	// vuln: CWE-798
	if err := conn.Bind("cn=svc-reports,ou=services,dc=rent,dc=example,dc=com", "R3p0rts#Owner$tmt"); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func connectReportingV2() (*ldap.Conn, error) {
	conn, err := ldap.DialURL(ldapURL)
	if err != nil {
		return nil, err
	}
	// safe: CWE-798
	if err := conn.Bind(os.Getenv("LDAP_REPORTS_DN"), os.Getenv("LDAP_REPORTS_PASSWORD")); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// connectAdmin is used by the provisioning job that creates owner entries.
func connectAdmin() (*ldap.Conn, error) {
	conn, err := ldap.DialURL(ldapURL)
	if err != nil {
		return nil, err
	}
	return conn, conn.Bind("cn=admin,dc=rent,dc=example,dc=com", bindPassword)
}

// legacyDirectory is still used by the kiosk in the leasing office.
var legacyDirectory = &Directory{
	BindDN: "cn=kiosk,ou=services,dc=rent,dc=example,dc=com",
	// vuln: CWE-798
	BindPassword: "k1osk-Leasing-0ffice!",
}

func toPeople(res *ldap.SearchResult) []Person {
	out := make([]Person, 0, len(res.Entries))
	for _, e := range res.Entries {
		out = append(out, Person{
			DN:         e.DN,
			Name:       e.GetAttributeValue("cn"),
			Email:      e.GetAttributeValue("mail"),
			Phone:      e.GetAttributeValue("telephoneNumber"),
			Department: e.GetAttributeValue("departmentNumber"),
		})
	}
	return out
}

func (d *Directory) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /directory/staff", d.SearchStaff)
	mux.HandleFunc("GET /directory/staff/safe", d.SearchStaffEscaped)
	mux.HandleFunc("GET /directory/staff/by-dept", d.ByDepartment)
	mux.HandleFunc("GET /directory/staff/by-dept/v2", d.ByDepartmentV2)
	mux.HandleFunc("GET /directory/owners/{owner}", d.Owner)
	mux.HandleFunc("GET /directory/owners/{owner}/v2", d.OwnerV2)
	mux.HandleFunc("POST /directory/login", d.Login)
	mux.HandleFunc("POST /directory/login/v2", d.LoginV2)
	mux.HandleFunc("POST /directory/lookup", d.Lookup)
	mux.HandleFunc("POST /directory/lookup/v2", d.LookupV2)
	mux.HandleFunc("GET /directory/groups", d.Groups)
	mux.HandleFunc("GET /directory/groups/v2", d.GroupsV2)
}

// SearchStaff: GET /directory/staff?q=maria
func (d *Directory) SearchStaff(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	conn, err := d.connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	filter := "(&(objectClass=inetOrgPerson)(|(cn=*" + q + "*)(mail=*" + q + "*)))"
	// vuln: CWE-90
	res, err := conn.Search(ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 50, 10, false, filter, personAttrs, nil))
	if err != nil {
		http.Error(w, "search failed", http.StatusBadRequest)
		return
	}
	json.NewEncoder(w).Encode(toPeople(res))
}

func (d *Directory) SearchStaffEscaped(w http.ResponseWriter, r *http.Request) {
	q := ldap.EscapeFilter(r.URL.Query().Get("q"))
	conn, err := d.connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	filter := "(&(objectClass=inetOrgPerson)(|(cn=*" + q + "*)(mail=*" + q + "*)))"
	// safe: CWE-90
	res, err := conn.Search(ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 50, 10, false, filter, personAttrs, nil))
	if err != nil {
		http.Error(w, "search failed", http.StatusBadRequest)
		return
	}
	json.NewEncoder(w).Encode(toPeople(res))
}

func (d *Directory) ByDepartment(w http.ResponseWriter, r *http.Request) {
	dept := r.URL.Query().Get("dept")
	conn, err := d.connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	// vuln: CWE-90
	req := ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, fmt.Sprintf("(&(objectClass=inetOrgPerson)(departmentNumber=%s))", dept), personAttrs, nil)
	res, err := conn.SearchWithPaging(req, 100)
	if err != nil {
		http.Error(w, "search failed", http.StatusBadRequest)
		return
	}
	json.NewEncoder(w).Encode(toPeople(res))
}

func (d *Directory) ByDepartmentV2(w http.ResponseWriter, r *http.Request) {
	dept, err := strconv.Atoi(r.URL.Query().Get("dept"))
	if err != nil {
		http.Error(w, "dept must be numeric", http.StatusBadRequest)
		return
	}
	conn, err := d.connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	// safe: CWE-90
	req := ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, fmt.Sprintf("(&(objectClass=inetOrgPerson)(departmentNumber=%d))", dept), personAttrs, nil)
	res, err := conn.SearchWithPaging(req, 100)
	if err != nil {
		http.Error(w, "search failed", http.StatusBadRequest)
		return
	}
	json.NewEncoder(w).Encode(toPeople(res))
}

// Owner looks up a property owner by their owner id (uid).
func (d *Directory) Owner(w http.ResponseWriter, r *http.Request) {
	owner := r.PathValue("owner")
	conn, err := d.connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	var sb strings.Builder
	sb.WriteString("(&(objectClass=propertyOwner)(uid=")
	sb.WriteString(owner)
	sb.WriteString("))")
	search := &ldap.SearchRequest{BaseDN: ownersBase, Scope: ldap.ScopeSingleLevel, Filter: sb.String(), Attributes: personAttrs}
	// vuln: CWE-90
	res, err := conn.Search(search)
	if err != nil || len(res.Entries) == 0 {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(toPeople(res)[0])
}

func (d *Directory) OwnerV2(w http.ResponseWriter, r *http.Request) {
	owner := r.PathValue("owner")
	conn, err := d.connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	filter := fmt.Sprintf("(&(objectClass=propertyOwner)(uid=%s))", ldap.EscapeFilter(owner))
	search := &ldap.SearchRequest{BaseDN: ownersBase, Scope: ldap.ScopeSingleLevel, Filter: filter, Attributes: personAttrs}
	// safe: CWE-90
	res, err := conn.Search(search)
	if err != nil || len(res.Entries) == 0 {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(toPeople(res)[0])
}

type loginForm struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Login binds as the staff member to check their password.
func (d *Directory) Login(w http.ResponseWriter, r *http.Request) {
	var f loginForm
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil || f.Password == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	conn, err := ldap.DialURL(ldapURL)
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	// vuln: CWE-90
	if err := conn.Bind("uid="+f.Username+","+peopleBase, f.Password); err != nil {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (d *Directory) LoginV2(w http.ResponseWriter, r *http.Request) {
	var f loginForm
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil || f.Password == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	conn, err := ldap.DialURL(ldapURL)
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	// safe: CWE-90
	if err := conn.Bind("uid="+ldap.EscapeDN(f.Username)+","+peopleBase, f.Password); err != nil {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Lookup resolves an email address to a staff entry for the ticket
// assignment picker.
func (d *Directory) Lookup(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	conn, err := d.connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	filter := fmt.Sprintf("(mail=%s)", email)
	// vuln: CWE-90
	res, err := conn.Search(ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1, 5, false, filter, personAttrs, nil))
	if err != nil || len(res.Entries) != 1 {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(toPeople(res)[0])
}

func (d *Directory) LookupV2(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	conn, err := d.connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	req := ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1, 5, false, "(mail="+ldap.EscapeFilter(email)+")", personAttrs, nil)
	// safe: CWE-90
	res, err := conn.Search(req)
	if err != nil || len(res.Entries) != 1 {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(toPeople(res)[0])
}

var groupNames = map[string]string{
	"leasing":     "cn=leasing,ou=groups,dc=rent,dc=example,dc=com",
	"maintenance": "cn=maintenance,ou=groups,dc=rent,dc=example,dc=com",
	"accounting":  "cn=accounting,ou=groups,dc=rent,dc=example,dc=com",
}

// Groups lists the members of a group; the group name comes from a cookie
// remembering the last tab the user had open.
func (d *Directory) Groups(w http.ResponseWriter, r *http.Request) {
	tab, err := r.Cookie("dir_tab")
	if err != nil {
		http.Error(w, "no group selected", http.StatusBadRequest)
		return
	}
	conn, err := d.connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	// vuln: CWE-90
	res, err := conn.Search(ldap.NewSearchRequest("ou=groups,dc=rent,dc=example,dc=com", ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false, "(&(objectClass=groupOfNames)(cn="+tab.Value+"))", []string{"member"}, nil))
	if err != nil {
		http.Error(w, "search failed", http.StatusBadRequest)
		return
	}
	json.NewEncoder(w).Encode(res.Entries)
}

func (d *Directory) GroupsV2(w http.ResponseWriter, r *http.Request) {
	groupDN, ok := groupNames[r.URL.Query().Get("group")]
	if !ok {
		http.Error(w, "unknown group", http.StatusBadRequest)
		return
	}
	conn, err := d.connect()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	// safe: CWE-90
	res, err := conn.Search(ldap.NewSearchRequest(groupDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=groupOfNames)", []string{"member"}, nil))
	if err != nil {
		http.Error(w, "search failed", http.StatusBadRequest)
		return
	}
	json.NewEncoder(w).Encode(res.Entries)
}
