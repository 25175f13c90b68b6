// Package feeds imports partner listing feeds (XML) and answers partner
// queries against the last imported feed for each partner.
package feeds

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
	"github.com/go-chi/chi/v5"
)

type FeedStore struct {
	mu    sync.RWMutex
	Dir   string // imported feeds, one file per partner
	cache map[string]*xmlquery.Node
}

type ListingOut struct {
	MLSID    string `json:"mls_id"`
	Address  string `json:"address"`
	City     string `json:"city"`
	Price    string `json:"price"`
	Bedrooms string `json:"bedrooms"`
}

var partnerSlug = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)

var activeListings = xpath.MustCompile("/feed/listing[@status='active']")

// fieldPaths are the only fields partners can ask for in a field report.
var fieldPaths = map[string]string{
	"price":     "/feed/listing/price",
	"bedrooms":  "/feed/listing/bedrooms",
	"city":      "/feed/listing/address/city",
	"available": "/feed/listing/available_from",
}

func NewFeedStore(dir string) *FeedStore {
	return &FeedStore{Dir: dir, cache: map[string]*xmlquery.Node{}}
}

func (s *FeedStore) Routes() chi.Router {
	r := chi.NewRouter()
	r.Get("/feeds/{partner}/listings", s.PartnerListings)
	r.Get("/feeds/{partner}/listings/{mlsID}/price", s.Price)
	r.Get("/feeds/{partner}/listings/{mlsID}/price/v2", s.PriceV2)
	r.Get("/feeds/{partner}/search", s.Search)
	r.Get("/feeds/{partner}/search/v2", s.SearchV2)
	r.Post("/feeds/{partner}/agents", s.Agent)
	r.Post("/feeds/{partner}/agents/v2", s.AgentV2)
	r.Get("/feeds/{partner}/fields", s.FieldReport)
	r.Get("/feeds/{partner}/by-status", s.ByStatus)
	r.Get("/feeds/{partner}/active", s.Active)
	r.Get("/feeds/all/by-partner", s.AllByPartner)
	r.Get("/feeds/all/by-partner/v2", s.AllByPartnerV2)
	return r
}

func (s *FeedStore) doc(partner string) (*xmlquery.Node, error) {
	s.mu.RLock()
	d, ok := s.cache[partner]
	s.mu.RUnlock()
	if ok {
		return d, nil
	}
	if !partnerSlug.MatchString(partner) {
		return nil, fmt.Errorf("unknown partner")
	}
	f, err := os.Open(filepath.Join(s.Dir, partner+".xml"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d, err = xmlquery.Parse(f)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[partner] = d
	s.mu.Unlock()
	return d, nil
}

func toListing(n *xmlquery.Node) ListingOut {
	text := func(p string) string {
		if c := xmlquery.FindOne(n, p); c != nil {
			return strings.TrimSpace(c.InnerText())
		}
		return ""
	}
	return ListingOut{
		MLSID:    text("mls_id"),
		Address:  text("address/street"),
		City:     text("address/city"),
		Price:    text("price"),
		Bedrooms: text("bedrooms"),
	}
}

func writeListings(w http.ResponseWriter, nodes []*xmlquery.Node) {
	out := make([]ListingOut, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, toListing(n))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// xpathLiteral quotes s as an XPath 1.0 string literal. XPath has no escape
// sequences, so a value containing both quote kinds is built with concat().
func xpathLiteral(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	if !strings.Contains(s, "\"") {
		return "\"" + s + "\""
	}
	parts := strings.Split(s, "'")
	var b strings.Builder
	b.WriteString("concat(")
	for i, p := range parts {
		if i > 0 {
			b.WriteString(", \"'\", ")
		}
		b.WriteString("'" + p + "'")
	}
	b.WriteString(")")
	return b.String()
}

// PartnerListings: GET /feeds/{partner}/listings?city=Austin
func (s *FeedStore) PartnerListings(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc(chi.URLParam(r, "partner"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	city := r.URL.Query().Get("city")
	// vuln: CWE-643
	nodes := xmlquery.Find(doc, "/feed/listing[address/city='"+city+"']")
	writeListings(w, nodes)
}

func (s *FeedStore) Active(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc(chi.URLParam(r, "partner"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	city := r.URL.Query().Get("city")
	var matched []*xmlquery.Node
	// safe: CWE-643
	for _, n := range xmlquery.QuerySelectorAll(doc, activeListings) {
		if c := xmlquery.FindOne(n, "address/city"); c != nil && strings.EqualFold(c.InnerText(), city) {
			matched = append(matched, n)
		}
	}
	writeListings(w, matched)
}

func (s *FeedStore) Price(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc(chi.URLParam(r, "partner"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	mlsID := chi.URLParam(r, "mlsID")
	// vuln: CWE-643
	n := xmlquery.FindOne(doc, fmt.Sprintf("/feed/listing[mls_id='%s']/price", mlsID))
	if n == nil {
		http.NotFound(w, r)
		return
	}
	fmt.Fprint(w, n.InnerText())
}

func (s *FeedStore) PriceV2(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc(chi.URLParam(r, "partner"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	mlsID, err := strconv.ParseUint(chi.URLParam(r, "mlsID"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-643
	n := xmlquery.FindOne(doc, fmt.Sprintf("/feed/listing[mls_id='%d']/price", mlsID))
	if n == nil {
		http.NotFound(w, r)
		return
	}
	fmt.Fprint(w, n.InnerText())
}

// Search: GET /feeds/{partner}/search?city=..&min_beds=..
func (s *FeedStore) Search(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc(chi.URLParam(r, "partner"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	expr := "/feed/listing[address/city='" + q.Get("city") + "'"
	if beds := q.Get("min_beds"); beds != "" {
		expr += " and bedrooms >= " + beds
	}
	expr += "]"
	// vuln: CWE-643
	compiled, err := xpath.Compile(expr)
	if err != nil {
		http.Error(w, "bad search", http.StatusBadRequest)
		return
	}
	writeListings(w, xmlquery.QuerySelectorAll(doc, compiled))
}

func (s *FeedStore) SearchV2(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc(chi.URLParam(r, "partner"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	expr := "/feed/listing[address/city=" + xpathLiteral(q.Get("city"))
	if beds, err := strconv.Atoi(q.Get("min_beds")); err == nil {
		expr += " and bedrooms >= " + strconv.Itoa(beds)
	}
	expr += "]"
	// safe: CWE-643
	compiled, err := xpath.Compile(expr)
	if err != nil {
		http.Error(w, "bad search", http.StatusBadRequest)
		return
	}
	writeListings(w, xmlquery.QuerySelectorAll(doc, compiled))
}

type agentQuery struct {
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// Agent looks up the listing agent record a partner sent us.
func (s *FeedStore) Agent(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc(chi.URLParam(r, "partner"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var aq agentQuery
	if err := json.NewDecoder(r.Body).Decode(&aq); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	// vuln: CWE-643
	agents, err := xmlquery.QueryAll(doc, "/feed/agents/agent[email='"+aq.Email+"' or phone='"+aq.Phone+"']")
	if err != nil || len(agents) == 0 {
		http.NotFound(w, r)
		return
	}
	fmt.Fprint(w, agents[0].OutputXML(true))
}

func (s *FeedStore) AgentV2(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc(chi.URLParam(r, "partner"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var aq agentQuery
	if err := json.NewDecoder(r.Body).Decode(&aq); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	// safe: CWE-643
	agents, err := xmlquery.QueryAll(doc, "/feed/agents/agent[email="+xpathLiteral(aq.Email)+" or phone="+xpathLiteral(aq.Phone)+"]")
	if err != nil || len(agents) == 0 {
		http.NotFound(w, r)
		return
	}
	fmt.Fprint(w, agents[0].OutputXML(true))
}

// FieldReport returns every value of one field across the feed.
func (s *FeedStore) FieldReport(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc(chi.URLParam(r, "partner"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	p, ok := fieldPaths[r.URL.Query().Get("field")]
	if !ok {
		http.Error(w, "unknown field", http.StatusBadRequest)
		return
	}
	var values []string
	// safe: CWE-643
	for _, n := range xmlquery.Find(doc, p) {
		values = append(values, n.InnerText())
	}
	json.NewEncoder(w).Encode(values)
}

// ByStatus filters on the status attribute; the status comes from the
// partner's X-Feed-Status header.
func (s *FeedStore) ByStatus(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc(chi.URLParam(r, "partner"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	status := r.Header.Get("X-Feed-Status")
	var b strings.Builder
	b.WriteString("/feed/listing[@status='")
	b.WriteString(status)
	b.WriteString("']")
	// vuln: CWE-643
	nodes, err := xmlquery.QueryAll(doc, b.String())
	if err != nil {
		http.Error(w, "bad status", http.StatusBadRequest)
		return
	}
	writeListings(w, nodes)
}

// AllByPartner searches the merged feed for listings syndicated from one
// partner, e.g. ?source=zillow
func (s *FeedStore) AllByPartner(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc("merged")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	source := r.FormValue("source")
	// vuln: CWE-643
	expr := xpath.MustCompile(fmt.Sprintf("//listing[@source=\"%s\"]", source))
	writeListings(w, xmlquery.QuerySelectorAll(doc, expr))
}

func (s *FeedStore) AllByPartnerV2(w http.ResponseWriter, r *http.Request) {
	doc, err := s.doc("merged")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	source := r.FormValue("source")
	if !partnerSlug.MatchString(source) {
		http.Error(w, "unknown source", http.StatusBadRequest)
		return
	}
	// safe: CWE-643
	expr := xpath.MustCompile(fmt.Sprintf("//listing[@source=\"%s\"]", source))
	writeListings(w, xmlquery.QuerySelectorAll(doc, expr))
}
