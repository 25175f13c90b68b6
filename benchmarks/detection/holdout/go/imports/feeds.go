// Package imports ingests venue and partner data files: hall layouts and
// price lists as XML, guest lists as CSV, and partner price feeds.
package imports

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

type Importer struct {
	DB *sql.DB
}

func (im *Importer) Mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/imports/venue-xml", im.VenueXML)
	mux.HandleFunc("/imports/venue-halls", im.VenueHalls)
	mux.HandleFunc("/imports/price-feed", im.PriceFeed)
	mux.HandleFunc("/imports/price-feed/tier", im.PriceTier)
	mux.HandleFunc("/imports/resale-listings", im.ResaleListings)
	mux.HandleFunc("/imports/resale-listings/active", im.ActiveListings)
	mux.HandleFunc("/imports/guest-list", im.GuestListCSV)
	return mux
}

func parseUpload(r *http.Request, field string) (*xmlquery.Node, error) {
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		return nil, err
	}
	f, _, err := r.FormFile(field)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return xmlquery.Parse(f)
}

type Hall struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Capacity int    `json:"capacity"`
}

func halls(nodes []*xmlquery.Node) []Hall {
	var out []Hall
	for _, n := range nodes {
		capacity, _ := strconv.Atoi(n.SelectAttr("capacity"))
		out = append(out, Hall{Code: n.SelectAttr("code"), Name: n.SelectAttr("name"), Capacity: capacity})
	}
	return out
}

// VenueXML imports the hall list for the venue identified by the X-Venue-Code header.
func (im *Importer) VenueXML(w http.ResponseWriter, r *http.Request) {
	doc, err := parseUpload(r, "layout")
	if err != nil {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	code := r.Header.Get("X-Venue-Code")
	// vuln: CWE-643
	nodes := xmlquery.Find(doc, "//venue[@code='"+code+"']/hall")
	_ = json.NewEncoder(w).Encode(halls(nodes))
}

var venueCode = regexp.MustCompile(`^[A-Z]{3}[0-9]{2}$`)

// VenueHalls is the same import for venue codes entered in the admin form.
func (im *Importer) VenueHalls(w http.ResponseWriter, r *http.Request) {
	doc, err := parseUpload(r, "layout")
	if err != nil {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	code := strings.ToUpper(r.FormValue("venue_code"))
	if !venueCode.MatchString(code) {
		http.Error(w, "venue code must look like ABC12", http.StatusBadRequest)
		return
	}
	// safe: CWE-643
	nodes, err := xmlquery.QueryAll(doc, "//venue[@code='"+code+"']/hall")
	if err != nil {
		http.Error(w, "bad layout", http.StatusBadRequest)
		return
	}
	_ = json.NewEncoder(w).Encode(halls(nodes))
}

type feedRequest struct {
	Feed          string `json:"feed_xml"`
	PerformanceID string `json:"performance_id"`
}

// PriceFeed reads the price of a performance from a partner's XML price feed.
func (im *Importer) PriceFeed(w http.ResponseWriter, r *http.Request) {
	var req feedRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	doc, err := xmlquery.Parse(strings.NewReader(req.Feed))
	if err != nil {
		http.Error(w, "bad feed", http.StatusBadRequest)
		return
	}
	// vuln: CWE-643
	expr, err := xpath.Compile(fmt.Sprintf("sum(//performance[id='%s']/price/@amount)", req.PerformanceID))
	if err != nil {
		http.Error(w, "bad performance", http.StatusBadRequest)
		return
	}
	total, _ := expr.Evaluate(xmlquery.CreateXPathNavigator(doc)).(float64)
	_ = json.NewEncoder(w).Encode(map[string]float64{"total": total})
}

// PriceTier reads one numbered price tier from the uploaded feed.
func (im *Importer) PriceTier(w http.ResponseWriter, r *http.Request) {
	doc, err := parseUpload(r, "feed")
	if err != nil {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	tier, err := strconv.Atoi(r.FormValue("tier"))
	if err != nil || tier < 1 {
		http.Error(w, "bad tier", http.StatusBadRequest)
		return
	}
	// safe: CWE-643
	expr, err := xpath.Compile(fmt.Sprintf("//tier[position()=%d]/price/@amount", tier))
	if err != nil {
		http.Error(w, "bad tier", http.StatusBadRequest)
		return
	}
	iter := expr.Select(xmlquery.CreateXPathNavigator(doc))
	var prices []string
	for iter.MoveNext() {
		prices = append(prices, iter.Current().Value())
	}
	_ = json.NewEncoder(w).Encode(prices)
}

type listingFilter struct {
	Seller string
	Event  string
}

func (f listingFilter) expr() string {
	e := "//listing"
	if f.Seller != "" {
		e += "[@seller='" + f.Seller + "']"
	}
	if f.Event != "" {
		e += "[event/@ref='" + f.Event + "']"
	}
	return e
}

// ResaleListings imports a marketplace listings file, filtered by seller and event.
func (im *Importer) ResaleListings(w http.ResponseWriter, r *http.Request) {
	doc, err := parseUpload(r, "listings")
	if err != nil {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	filter := listingFilter{Seller: r.FormValue("seller"), Event: r.URL.Query().Get("event")}
	// vuln: CWE-643
	listings := doc.SelectElements(filter.expr())
	count := 0
	for _, l := range listings {
		price, _ := strconv.ParseInt(l.SelectAttr("price_cents"), 10, 64)
		if _, err := im.DB.ExecContext(r.Context(), "INSERT INTO resale_listings (seller, event_ref, price_cents) VALUES ($1, $2, $3)", l.SelectAttr("seller"), filter.Event, price); err == nil {
			count++
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]int{"imported": count})
}

// ActiveListings returns the listings of one seller that are still active.
func (im *Importer) ActiveListings(w http.ResponseWriter, r *http.Request) {
	doc, err := parseUpload(r, "listings")
	if err != nil {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	seller := r.FormValue("seller")
	var mine []string
	// safe: CWE-643
	for _, l := range xmlquery.Find(doc, "//listing[@status='active']") {
		if l.SelectAttr("seller") == seller {
			mine = append(mine, l.SelectAttr("id"))
		}
	}
	_ = json.NewEncoder(w).Encode(mine)
}

// GuestListCSV imports a guest list exported from a promoter's spreadsheet.
func (im *Importer) GuestListCSV(w http.ResponseWriter, r *http.Request) {
	eventID, err := strconv.ParseInt(r.URL.Query().Get("event_id"), 10, 64)
	if err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	f, _, err := r.FormFile("csv")
	if err != nil {
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	n := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil || len(rec) < 2 {
			continue
		}
		plus, _ := strconv.Atoi(rec[1])
		if _, err := im.DB.ExecContext(r.Context(), "INSERT INTO guest_list (event_id, name, plus_ones) VALUES ($1, $2, $3)", eventID, rec[0], plus); err == nil {
			n++
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]int{"imported": n})
}
