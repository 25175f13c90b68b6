// Package seatmap serves venue seat maps, which venues upload as XML layouts
// together with background images.
package seatmap

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

type Store struct {
	LayoutDir string
	AssetDir  string

	mu      sync.RWMutex
	layouts map[string]*xmlquery.Node
}

type Seat struct {
	Section string `json:"section"`
	Row     string `json:"row"`
	Number  string `json:"number"`
	Class   string `json:"class"`
	Status  string `json:"status"`
}

func (s *Store) Routes() chi.Router {
	r := chi.NewRouter()
	r.Get("/venues/{venue}/sections/{section}/seats", s.SectionSeats)
	r.Get("/venues/{venue}/rows/{row}", s.RowSeats)
	r.Get("/venues/{venue}/seat", s.FindSeat)
	r.Get("/venues/{venue}/accessible", s.AccessibleSeats)
	r.Get("/venues/{venue}/price-band", s.PriceBand)
	r.Get("/venues/{venue}/zones/{zone}", s.Zone)
	r.Get("/venues/{venue}/background", s.Background)
	r.Get("/venues/{venue}/assets/*", s.Asset)
	r.Get("/venues/{venue}/overlay", s.Overlay)
	r.Get("/venues/{venue}/legend", s.Legend)
	return r
}

var venueSlug = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

func (s *Store) layout(venue string) (*xmlquery.Node, error) {
	if !venueSlug.MatchString(venue) {
		return nil, fmt.Errorf("unknown venue")
	}
	s.mu.RLock()
	doc, ok := s.layouts[venue]
	s.mu.RUnlock()
	if ok {
		return doc, nil
	}
	f, err := os.Open(filepath.Join(s.LayoutDir, venue+".xml"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err = xmlquery.Parse(f)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.layouts == nil {
		s.layouts = map[string]*xmlquery.Node{}
	}
	s.layouts[venue] = doc
	s.mu.Unlock()
	return doc, nil
}

func toSeats(nodes []*xmlquery.Node) []Seat {
	out := make([]Seat, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, Seat{
			Section: n.SelectAttr("section"),
			Row:     n.SelectAttr("row"),
			Number:  n.SelectAttr("number"),
			Class:   n.SelectAttr("class"),
			Status:  n.SelectAttr("status"),
		})
	}
	return out
}

func writeJSON(w http.ResponseWriter, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// SectionSeats lists all seats of one section of the hall.
func (s *Store) SectionSeats(w http.ResponseWriter, r *http.Request) {
	doc, err := s.layout(chi.URLParam(r, "venue"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	section := chi.URLParam(r, "section")
	expr := "//section[@name='" + section + "']/row/seat"
	// vuln: CWE-643
	seats, err := xmlquery.QueryAll(doc, expr)
	if err != nil {
		http.Error(w, "bad section", http.StatusBadRequest)
		return
	}
	writeJSON(w, toSeats(seats))
}

// RowSeats lists the seats of one numbered row.
func (s *Store) RowSeats(w http.ResponseWriter, r *http.Request) {
	doc, err := s.layout(chi.URLParam(r, "venue"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	row, err := strconv.Atoi(chi.URLParam(r, "row"))
	if err != nil {
		http.Error(w, "row must be numeric", http.StatusBadRequest)
		return
	}
	// safe: CWE-643
	seats := xmlquery.Find(doc, fmt.Sprintf("//row[@index=%d]/seat", row))
	writeJSON(w, toSeats(seats))
}

// FindSeat resolves a seat label typed into the box-office search field.
func (s *Store) FindSeat(w http.ResponseWriter, r *http.Request) {
	doc, err := s.layout(chi.URLParam(r, "venue"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	row, number := q.Get("row"), q.Get("number")
	// vuln: CWE-643
	seat := xmlquery.FindOne(doc, fmt.Sprintf("//seat[@row='%s' and @number='%s']", row, number))
	if seat == nil {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, toSeats([]*xmlquery.Node{seat}))
}

var accessibleExpr = xpath.MustCompile("//seat[@wheelchair='true' or @companion='true']")

// AccessibleSeats lists wheelchair and companion seats, optionally for one section.
func (s *Store) AccessibleSeats(w http.ResponseWriter, r *http.Request) {
	doc, err := s.layout(chi.URLParam(r, "venue"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	section := r.URL.Query().Get("section")
	// safe: CWE-643
	nodes := xmlquery.QuerySelectorAll(doc, accessibleExpr)
	var picked []*xmlquery.Node
	for _, n := range nodes {
		if section == "" || n.SelectAttr("section") == section {
			picked = append(picked, n)
		}
	}
	writeJSON(w, toSeats(picked))
}

type priceBandQuery struct {
	Band    string `json:"band"`
	Section string `json:"section"`
}

// PriceBand returns seats of a price band, filtered by a JSON body sent by the seat picker.
func (s *Store) PriceBand(w http.ResponseWriter, r *http.Request) {
	doc, err := s.layout(chi.URLParam(r, "venue"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var pq priceBandQuery
	if err := json.NewDecoder(r.Body).Decode(&pq); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	var sb strings.Builder
	sb.WriteString("//seat[@band=\"")
	sb.WriteString(pq.Band)
	sb.WriteString("\"")
	if pq.Section != "" {
		sb.WriteString(" and @section=\"" + pq.Section + "\"")
	}
	sb.WriteString("]")
	// vuln: CWE-643
	compiled, err := xpath.Compile(sb.String())
	if err != nil {
		http.Error(w, "bad band", http.StatusBadRequest)
		return
	}
	writeJSON(w, toSeats(xmlquery.QuerySelectorAll(doc, compiled)))
}

var zoneNames = map[string]string{
	"stalls":  "STALLS",
	"circle":  "DRESS_CIRCLE",
	"upper":   "UPPER_CIRCLE",
	"boxes":   "BOXES",
	"pit":     "STANDING_PIT",
	"balcony": "BALCONY",
}

// Zone lists the seats of one zone.
func (s *Store) Zone(w http.ResponseWriter, r *http.Request) {
	doc, err := s.layout(chi.URLParam(r, "venue"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	zone, ok := zoneNames[chi.URLParam(r, "zone")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-643
	nodes, err := xmlquery.QueryAll(doc, "//zone[@code='"+zone+"']//seat")
	if err != nil {
		http.Error(w, "layout error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, toSeats(nodes))
}

// Background serves the seat-map background image chosen by the venue.
func (s *Store) Background(w http.ResponseWriter, r *http.Request) {
	venue := chi.URLParam(r, "venue")
	img := r.URL.Query().Get("img")
	p := filepath.Join(s.AssetDir, venue, img)
	// vuln: CWE-22
	data, err := os.ReadFile(p)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(data))
	_, _ = w.Write(data)
}

// Asset serves static files (icons, fonts) that belong to a venue's seat map.
func (s *Store) Asset(w http.ResponseWriter, r *http.Request) {
	venue := chi.URLParam(r, "venue")
	if !venueSlug.MatchString(venue) {
		http.NotFound(w, r)
		return
	}
	root := filepath.Join(s.AssetDir, venue)
	rel := chi.URLParam(r, "*")
	full := filepath.Join(root, filepath.Clean("/"+rel))
	if !strings.HasPrefix(full, root+string(os.PathSeparator)) {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-22
	http.ServeFile(w, r, full)
}

// Overlay serves a transparent overlay image for a given performance layout.
func (s *Store) Overlay(w http.ResponseWriter, r *http.Request) {
	venue := chi.URLParam(r, "venue")
	name := r.URL.Query().Get("layout")
	// vuln: CWE-22
	http.ServeFile(w, r, s.AssetDir+"/"+venue+"/overlays/"+name+".png")
}

// Legend serves the colour legend image for the seat classes.
func (s *Store) Legend(w http.ResponseWriter, r *http.Request) {
	venue := chi.URLParam(r, "venue")
	if !venueSlug.MatchString(venue) {
		http.NotFound(w, r)
		return
	}
	name := filepath.Base(r.URL.Query().Get("file"))
	if name == "." || name == ".." || name == string(os.PathSeparator) {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-22
	f, err := os.Open(filepath.Join(s.AssetDir, venue, "legend", name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, _ := f.Stat()
	http.ServeContent(w, r, name, st.ModTime(), f)
}
