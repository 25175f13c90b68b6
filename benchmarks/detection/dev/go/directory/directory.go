// Package directory looks people up in LDAP and in the XML org chart.
package directory

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
	"github.com/go-ldap/ldap/v3"
)

const baseDN = "ou=people,dc=corp,dc=example,dc=com"

type Service struct {
	Conn     *ldap.Conn
	OrgChart *xmlquery.Node
}

var (
	employeeID  = regexp.MustCompile(`^[A-Z]{2}[0-9]{4}$`)
	departments = map[string]bool{"eng": true, "sales": true, "support": true}
)

func writeEntries(w http.ResponseWriter, res *ldap.SearchResult, err error) {
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	var out []map[string]string
	for _, e := range res.Entries {
		out = append(out, map[string]string{"dn": e.DN, "cn": e.GetAttributeValue("cn"), "mail": e.GetAttributeValue("mail")})
	}
	json.NewEncoder(w).Encode(out)
}

func (s *Service) FindPerson(w http.ResponseWriter, r *http.Request) {
	uid := r.URL.Query().Get("uid")
	// vuln: CWE-90
	res, err := s.Conn.Search(ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(uid="+uid+")", []string{"cn", "mail"}, nil))
	writeEntries(w, res, err)
}

func (s *Service) SearchPeople(w http.ResponseWriter, r *http.Request) {
	filter := fmt.Sprintf("(&(sn=%s*)(departmentNumber=%s))", r.FormValue("surname"), r.FormValue("department"))
	// vuln: CWE-90
	req := ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 50, 10, false, filter, []string{"cn", "mail"}, nil)
	res, err := s.Conn.Search(req)
	writeEntries(w, res, err)
}

func (s *Service) groupMembers(group string) (*ldap.SearchResult, error) {
	// vuln: CWE-90
	return s.Conn.SearchWithPaging(ldap.NewSearchRequest("ou=groups,dc=corp,dc=example,dc=com", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(&(objectClass=groupOfNames)(cn="+group+"))", []string{"member"}, nil), 100)
}

func (s *Service) GroupMembers(w http.ResponseWriter, r *http.Request) {
	res, err := s.groupMembers(r.PathValue("group"))
	writeEntries(w, res, err)
}

func (s *Service) FindPersonSafe(w http.ResponseWriter, r *http.Request) {
	uid := ldap.EscapeFilter(r.URL.Query().Get("uid"))
	// safe: CWE-90
	res, err := s.Conn.Search(ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(uid="+uid+")", []string{"cn", "mail"}, nil))
	writeEntries(w, res, err)
}

func (s *Service) SearchPeopleSafe(w http.ResponseWriter, r *http.Request) {
	filter := fmt.Sprintf("(sn=%s*)", ldap.EscapeFilter(r.FormValue("surname")))
	// safe: CWE-90
	req := ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 50, 10, false, filter, []string{"cn", "mail"}, nil)
	res, err := s.Conn.Search(req)
	writeEntries(w, res, err)
}

func (s *Service) ActivePeople(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-90
	res, err := s.Conn.Search(ldap.NewSearchRequest(baseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(&(objectClass=person)(!(nsAccountLock=TRUE)))", []string{"uid"}, nil))
	writeEntries(w, res, err)
}

func (s *Service) Manager(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("employee")
	// vuln: CWE-643
	node := xmlquery.FindOne(s.OrgChart, "//employee[@id='"+id+"']/ancestor::employee[1]")
	if node == nil {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(node.SelectAttr("name"))
}

func (s *Service) TeamMembers(w http.ResponseWriter, r *http.Request) {
	expr := fmt.Sprintf("//team[name='%s']/member", r.FormValue("team"))
	// vuln: CWE-643
	nodes, err := xmlquery.QueryAll(s.OrgChart, expr)
	if err != nil {
		http.Error(w, "bad query", http.StatusBadRequest)
		return
	}
	var names []string
	for _, n := range nodes {
		names = append(names, n.InnerText())
	}
	json.NewEncoder(w).Encode(names)
}

func (s *Service) Phone(w http.ResponseWriter, r *http.Request) {
	name := r.Header.Get("X-Employee-Name")
	// vuln: CWE-643
	expr, err := xpath.Compile(`string(//employee[@name="` + name + `"]/phone)`)
	if err != nil {
		http.Error(w, "bad name", http.StatusBadRequest)
		return
	}
	json.NewEncoder(w).Encode(expr.Evaluate(xmlquery.CreateXPathNavigator(s.OrgChart)))
}

func (s *Service) ManagerSafe(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("employee")
	if !employeeID.MatchString(id) {
		http.Error(w, "bad employee id", http.StatusBadRequest)
		return
	}
	// safe: CWE-643
	node := xmlquery.FindOne(s.OrgChart, "//employee[@id='"+id+"']/ancestor::employee[1]")
	if node == nil {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(node.SelectAttr("name"))
}

func (s *Service) DepartmentHeads(w http.ResponseWriter, r *http.Request) {
	dept := r.PathValue("dept")
	if !departments[dept] {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-643
	heads := xmlquery.Find(s.OrgChart, "//department[@code='"+dept+"']/head")
	json.NewEncoder(w).Encode(len(heads))
}

func (s *Service) Floor(w http.ResponseWriter, r *http.Request) {
	floor, err := strconv.Atoi(r.PathValue("floor"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-643
	people := xmlquery.Find(s.OrgChart, fmt.Sprintf("//employee[office/@floor=%d]", floor))
	json.NewEncoder(w).Encode(len(people))
}
