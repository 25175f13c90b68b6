// Package directory looks up staff and promoter accounts in the corporate
// LDAP directory (used by the admin tools and promoter onboarding).
package directory

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

const (
	peopleBase  = "ou=people,dc=tix,dc=example,dc=com"
	groupsBase  = "ou=groups,dc=tix,dc=example,dc=com"
	promoterOU  = "ou=promoters,dc=tix,dc=example,dc=com"
)

var defaultAttrs = []string{"uid", "cn", "mail", "title", "telephoneNumber", "departmentNumber"}

type Directory struct {
	URL      string
	BindDN   string
	BindPass string
}

func FromEnv() *Directory {
	return &Directory{
		URL:      os.Getenv("LDAP_URL"),
		BindDN:   os.Getenv("LDAP_BIND_DN"),
		BindPass: os.Getenv("LDAP_BIND_PASSWORD"),
	}
}

type Person struct {
	UID   string `json:"uid"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Title string `json:"title"`
	Phone string `json:"phone"`
}

func (d *Directory) conn() (*ldap.Conn, error) {
	l, err := ldap.DialURL(d.URL, ldap.DialWithTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12}))
	if err != nil {
		return nil, err
	}
	if err := l.Bind(d.BindDN, d.BindPass); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func toPeople(res *ldap.SearchResult) []Person {
	out := make([]Person, 0, len(res.Entries))
	for _, e := range res.Entries {
		out = append(out, Person{
			UID:   e.GetAttributeValue("uid"),
			Name:  e.GetAttributeValue("cn"),
			Email: e.GetAttributeValue("mail"),
			Title: e.GetAttributeValue("title"),
			Phone: e.GetAttributeValue("telephoneNumber"),
		})
	}
	return out
}

func writeJSON(w http.ResponseWriter, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (d *Directory) Mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/directory/staff", d.StaffSearch)
	mux.HandleFunc("/directory/staff/by-uid", d.StaffByUID)
	mux.HandleFunc("/directory/staff/by-mail", d.StaffByMail)
	mux.HandleFunc("/directory/department", d.Department)
	mux.HandleFunc("/directory/groups/members", d.GroupMembers)
	mux.HandleFunc("/directory/groups/of", d.GroupsOf)
	mux.HandleFunc("/directory/promoters", d.PromoterLookup)
	mux.HandleFunc("/directory/promoters/company", d.PromotersByCompany)
	mux.HandleFunc("/directory/login", d.StaffLogin)
	mux.HandleFunc("/directory/promoter-login", d.PromoterLogin)
	mux.HandleFunc("/directory/phone", d.PhoneLookup)
	mux.HandleFunc("/directory/manager", d.Manager)
	return mux
}

// StaffSearch is the type-ahead search in the admin tools' staff picker.
func (d *Directory) StaffSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	l, err := d.conn()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	filter := "(&(objectClass=inetOrgPerson)(|(cn=*" + q + "*)(mail=" + q + "*)))"
	// vuln: CWE-90
	req := ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 25, 10, false, filter, defaultAttrs, nil)
	res, err := l.Search(req)
	if err != nil {
		http.Error(w, "search failed", http.StatusBadRequest)
		return
	}
	writeJSON(w, toPeople(res))
}

// StaffByUID returns one staff member.
func (d *Directory) StaffByUID(w http.ResponseWriter, r *http.Request) {
	uid := r.URL.Query().Get("uid")
	l, err := d.conn()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	// safe: CWE-90
	req := ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1, 10, false, fmt.Sprintf("(&(objectClass=inetOrgPerson)(uid=%s))", ldap.EscapeFilter(uid)), defaultAttrs, nil)
	res, err := l.Search(req)
	if err != nil || len(res.Entries) == 0 {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, toPeople(res)[0])
}

// StaffByMail looks up a staff member by e-mail address.
func (d *Directory) StaffByMail(w http.ResponseWriter, r *http.Request) {
	mail := r.FormValue("mail")
	l, err := d.conn()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	// vuln: CWE-90
	res, err := l.Search(ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1, 10, false, fmt.Sprintf("(mail=%s)", mail), defaultAttrs, nil))
	if err != nil || len(res.Entries) == 0 {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, toPeople(res)[0])
}

var departments = map[string]string{
	"boxoffice": "BOX",
	"finance":   "FIN",
	"ops":       "OPS",
	"security":  "SEC",
	"marketing": "MKT",
}

// Department lists all staff of a department.
func (d *Directory) Department(w http.ResponseWriter, r *http.Request) {
	code, ok := departments[strings.ToLower(r.URL.Query().Get("dept"))]
	if !ok {
		http.Error(w, "unknown department", http.StatusBadRequest)
		return
	}
	l, err := d.conn()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	filter := "(&(objectClass=inetOrgPerson)(departmentNumber=" + code + "))"
	// safe: CWE-90
	req := ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 30, false, filter, defaultAttrs, nil)
	res, err := l.SearchWithPaging(req, 200)
	if err != nil {
		http.Error(w, "search failed", http.StatusBadGateway)
		return
	}
	writeJSON(w, toPeople(res))
}

type groupQuery struct {
	Group string `json:"group"`
}

// GroupMembers lists members of a group, given in a JSON body.
func (d *Directory) GroupMembers(w http.ResponseWriter, r *http.Request) {
	var gq groupQuery
	if err := json.NewDecoder(r.Body).Decode(&gq); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	l, err := d.conn()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	var sb strings.Builder
	sb.WriteString("(&(objectClass=groupOfNames)(cn=")
	sb.WriteString(gq.Group)
	sb.WriteString("))")
	// vuln: CWE-90
	req := ldap.NewSearchRequest(groupsBase, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 10, false, sb.String(), []string{"member"}, nil)
	res, err := l.Search(req)
	if err != nil || len(res.Entries) == 0 {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, res.Entries[0].GetAttributeValues("member"))
}

// GroupsOf lists the groups a staff member belongs to.
func (d *Directory) GroupsOf(w http.ResponseWriter, r *http.Request) {
	uid := r.URL.Query().Get("uid")
	l, err := d.conn()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	memberDN := fmt.Sprintf("uid=%s,%s", ldap.EscapeDN(uid), peopleBase)
	filter := fmt.Sprintf("(&(objectClass=groupOfNames)(member=%s))", ldap.EscapeFilter(memberDN))
	// safe: CWE-90
	res, err := l.Search(ldap.NewSearchRequest(groupsBase, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 10, false, filter, []string{"cn"}, nil))
	if err != nil {
		http.Error(w, "search failed", http.StatusBadGateway)
		return
	}
	var groups []string
	for _, e := range res.Entries {
		groups = append(groups, e.GetAttributeValue("cn"))
	}
	writeJSON(w, groups)
}

type promoterLookup struct {
	handle string
	region string
}

func (p promoterLookup) filter() string {
	return "(&(objectClass=tixPromoter)(tixHandle=" + p.handle + ")(tixRegion=" + p.region + "))"
}

// PromoterLookup checks whether a promoter handle already exists during onboarding.
func (d *Directory) PromoterLookup(w http.ResponseWriter, r *http.Request) {
	pl := promoterLookup{handle: r.FormValue("handle"), region: r.Header.Get("X-Region")}
	l, err := d.conn()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	// vuln: CWE-90
	req := ldap.NewSearchRequest(promoterOU, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1, 10, false, pl.filter(), []string{"tixHandle"}, nil)
	res, err := l.Search(req)
	if err != nil {
		http.Error(w, "search failed", http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]bool{"exists": len(res.Entries) > 0})
}

// PromotersByCompany lists promoter accounts registered for a company name.
func (d *Directory) PromotersByCompany(w http.ResponseWriter, r *http.Request) {
	company := r.URL.Query().Get("company")
	l, err := d.conn()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	filter := fmt.Sprintf("(&(objectClass=tixPromoter)(o=%s))", ldap.EscapeFilter(company))
	// safe: CWE-90
	req := ldap.NewSearchRequest(promoterOU, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 50, 10, false, filter, []string{"tixHandle", "cn", "mail"}, nil)
	res, err := l.Search(req)
	if err != nil {
		http.Error(w, "search failed", http.StatusBadGateway)
		return
	}
	writeJSON(w, toPeople(res))
}

// StaffLogin authenticates a staff member by binding as their DN.
func (d *Directory) StaffLogin(w http.ResponseWriter, r *http.Request) {
	user := r.PostFormValue("username")
	pass := r.PostFormValue("password")
	if pass == "" {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	l, err := ldap.DialURL(d.URL)
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	// vuln: CWE-90
	if err := l.Bind("uid="+user+","+peopleBase, pass); err != nil {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PromoterLogin authenticates a promoter against their directory entry.
func (d *Directory) PromoterLogin(w http.ResponseWriter, r *http.Request) {
	handle := r.PostFormValue("handle")
	pass := r.PostFormValue("password")
	if pass == "" {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	l, err := ldap.DialURL(d.URL)
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	// safe: CWE-90
	if err := l.Bind(fmt.Sprintf("tixHandle=%s,%s", ldap.EscapeDN(handle), promoterOU), pass); err != nil {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

var phonePattern = regexp.MustCompile(`^\+?[0-9 ]{4,20}$`)

// PhoneLookup finds who owns an internal extension, for the ops on-call page.
func (d *Directory) PhoneLookup(w http.ResponseWriter, r *http.Request) {
	phone := r.URL.Query().Get("phone")
	if !phonePattern.MatchString(phone) {
		http.Error(w, "bad phone number", http.StatusBadRequest)
		return
	}
	l, err := d.conn()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	// safe: CWE-90
	req := ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 5, 10, false, "(telephoneNumber=*"+phone+")", defaultAttrs, nil)
	res, err := l.Search(req)
	if err != nil {
		http.Error(w, "search failed", http.StatusBadGateway)
		return
	}
	writeJSON(w, toPeople(res))
}

// Manager finds the manager of a staff member, given the member's display name from a cookie-stored profile.
func (d *Directory) Manager(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie("staff_cn")
	if err != nil {
		http.Error(w, "no profile", http.StatusBadRequest)
		return
	}
	l, err := d.conn()
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer l.Close()
	filter := fmt.Sprintf("(&(objectClass=inetOrgPerson)(cn=%s))", ck.Value)
	// vuln: CWE-90
	req := ldap.NewSearchRequest(peopleBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1, 10, false, filter, []string{"manager"}, nil)
	res, err := l.Search(req)
	if err != nil || len(res.Entries) == 0 {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, map[string]string{"manager": res.Entries[0].GetAttributeValue("manager")})
}
