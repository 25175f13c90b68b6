// Package catalog serves the public event and venue listings.
package catalog

import (
	"database/sql"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

type Event struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	VenueName string    `json:"venue_name"`
	City      string    `json:"city"`
	StartsAt  time.Time `json:"starts_at"`
	MinPrice  int64     `json:"min_price_cents"`
}

type Handler struct {
	DB        *sql.DB
	Templates *template.Template
}

var sortColumns = map[string]string{
	"date":  "e.starts_at",
	"price": "e.min_price_cents",
	"title": "e.title",
}

func (h *Handler) Register(r *gin.Engine) {
	g := r.Group("/events")
	g.GET("/search", h.Search)
	g.GET("/by-genre/:genre", h.ByGenre)
	g.GET("/venue/:slug", h.VenueEvents)
	g.GET("/upcoming", h.Upcoming)
	g.GET("/city", h.CityListing)
	g.GET("/:id/teaser", h.Teaser)
	g.GET("/no-results", h.NoResults)
	g.GET("/promo-banner", h.PromoBanner)
	g.GET("/did-you-mean", h.DidYouMean)
	g.GET("/near-me", h.NearMe)
	g.GET("/venue-card", h.VenueCard)
	g.POST("/filter", h.Filter)
}

func scanEvents(rows *sql.Rows) ([]Event, error) {
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.Title, &e.VenueName, &e.City, &e.StartsAt, &e.MinPrice); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const baseEventQuery = `SELECT e.id, e.title, v.name, v.city, e.starts_at, e.min_price_cents
FROM events e JOIN venues v ON v.id = e.venue_id`

// Search is the free-text search box on the home page.
func (h *Handler) Search(c *gin.Context) {
	term := c.Query("q")
	sortKey := c.DefaultQuery("sort", "date")
	order := "e.starts_at"
	if col, ok := sortColumns[sortKey]; ok {
		order = col
	}
	q := baseEventQuery + " WHERE e.title ILIKE '%" + term + "%' ORDER BY " + order + " LIMIT 50"
	// vuln: CWE-89
	rows, err := h.DB.QueryContext(c.Request.Context(), q)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	events, err := scanEvents(rows)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusOK, events)
}

// ByGenre lists events of one genre, ordered by a user-chosen column.
func (h *Handler) ByGenre(c *gin.Context) {
	genre := c.Param("genre")
	sortKey := c.DefaultQuery("sort", "date")
	order, ok := sortColumns[sortKey]
	if !ok {
		order = sortColumns["date"]
	}
	query := fmt.Sprintf("%s WHERE e.genre = $1 AND e.starts_at > now() ORDER BY %s", baseEventQuery, order)
	// safe: CWE-89
	rows, err := h.DB.QueryContext(c.Request.Context(), query, genre)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	events, _ := scanEvents(rows)
	c.JSON(http.StatusOK, events)
}

// VenueEvents lists the programme of one venue.
func (h *Handler) VenueEvents(c *gin.Context) {
	slug := c.Param("slug")
	dir := c.DefaultQuery("dir", "asc")
	// vuln: CWE-89
	rows, err := h.DB.Query(fmt.Sprintf(baseEventQuery+" WHERE v.slug = '%s' ORDER BY e.starts_at %s", slug, dir))
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	events, _ := scanEvents(rows)
	c.JSON(http.StatusOK, events)
}

// Upcoming returns the next N events, N being a page size from the query string.
func (h *Handler) Upcoming(c *gin.Context) {
	limit, err := strconv.Atoi(c.DefaultQuery("limit", "20"))
	if err != nil || limit <= 0 || limit > 200 {
		limit = 20
	}
	stmt := baseEventQuery + " WHERE e.starts_at > now() ORDER BY e.starts_at LIMIT " + strconv.Itoa(limit)
	// safe: CWE-89
	rows, err := h.DB.Query(stmt)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	events, _ := scanEvents(rows)
	c.JSON(http.StatusOK, events)
}

type filterRequest struct {
	Cities   []string `json:"cities"`
	MaxPrice int64    `json:"max_price_cents"`
	Promoter string   `json:"promoter"`
}

// Filter is used by the advanced search panel.
func (h *Handler) Filter(c *gin.Context) {
	var req filterRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "bad filter"})
		return
	}
	var sb strings.Builder
	sb.WriteString(baseEventQuery)
	sb.WriteString(" WHERE e.min_price_cents <= $1")
	args := []interface{}{req.MaxPrice}
	if len(req.Cities) > 0 {
		ph := make([]string, len(req.Cities))
		for i, city := range req.Cities {
			args = append(args, city)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		sb.WriteString(" AND v.city IN (" + strings.Join(ph, ",") + ")")
	}
	if req.Promoter != "" {
		args = append(args, req.Promoter)
		sb.WriteString(fmt.Sprintf(" AND e.promoter_handle = $%d", len(args)))
	}
	// safe: CWE-89
	rows, err := h.DB.QueryContext(c.Request.Context(), sb.String(), args...)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	events, _ := scanEvents(rows)
	c.JSON(http.StatusOK, events)
}

// CityListing renders a small server-side page for SEO crawlers.
func (h *Handler) CityListing(c *gin.Context) {
	city := c.Query("city")
	var count int
	_ = h.DB.QueryRow("SELECT count(*) FROM events e JOIN venues v ON v.id = e.venue_id WHERE v.city = $1", city).Scan(&count)
	page := "<html><head><title>Events in " + city + "</title></head><body>"
	page += fmt.Sprintf("<h1>%d upcoming events in %s</h1></body></html>", count, city)
	// vuln: CWE-79
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(page))
}

// Teaser is embedded by partner sites in an iframe.
func (h *Handler) Teaser(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	var title, venue string
	if err := h.DB.QueryRow("SELECT e.title, v.name FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.id = $1", id).Scan(&title, &venue); err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	ref := c.Query("ref")
	c.Header("Content-Type", "text/html; charset=utf-8")
	// safe: CWE-79
	fmt.Fprintf(c.Writer, "<div class=\"teaser\"><b>%s</b> @ %s <small>via %s</small></div>", html.EscapeString(title), html.EscapeString(venue), html.EscapeString(ref))
}

// NoResults is shown when the search returned nothing.
func (h *Handler) NoResults(c *gin.Context) {
	term := c.Query("q")
	c.Writer.Header().Set("Content-Type", "text/html")
	c.Writer.WriteHeader(http.StatusOK)
	// vuln: CWE-79
	c.Writer.WriteString("<p class=\"empty\">Sorry, nothing matched <em>" + term + "</em>. Try another search.</p>")
}

type bannerView struct {
	Headline template.HTML
	Campaign string
}

// PromoBanner renders a marketing banner with a headline passed by the campaign link.
func (h *Handler) PromoBanner(c *gin.Context) {
	headline := c.Query("headline")
	view := bannerView{Campaign: c.Query("utm_campaign")}
	// vuln: CWE-79
	view.Headline = template.HTML(headline)
	c.Header("Content-Type", "text/html; charset=utf-8")
	_ = h.Templates.ExecuteTemplate(c.Writer, "banner.html", view)
}

type venueCardView struct {
	Name    string
	Tagline string
}

// VenueCard renders the venue card partial through html/template.
func (h *Handler) VenueCard(c *gin.Context) {
	view := venueCardView{Name: c.Query("name"), Tagline: c.Query("tagline")}
	c.Header("Content-Type", "text/html; charset=utf-8")
	// safe: CWE-79
	if err := h.Templates.ExecuteTemplate(c.Writer, "venue_card.html", view); err != nil {
		c.Status(http.StatusInternalServerError)
	}
}

// DidYouMean suggests the closest event title for a misspelt search.
func (h *Handler) DidYouMean(c *gin.Context) {
	term := c.Query("q")
	var suggestion string
	_ = h.DB.QueryRow("SELECT title FROM events ORDER BY similarity(title, $1) DESC LIMIT 1", term).Scan(&suggestion)
	body := "<p>No results for <q>" + template.HTMLEscapeString(term) + "</q>.</p>"
	if suggestion != "" {
		body += "<p>Did you mean <a href=\"/events/search?q=" + template.URLQueryEscaper(suggestion) + "\">" + template.HTMLEscapeString(suggestion) + "</a>?</p>"
	}
	// safe: CWE-79
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(body))
}

// NearMe counts this week's events in the city remembered from the last visit.
func (h *Handler) NearMe(c *gin.Context) {
	city, err := c.Cookie("preferred_city")
	if err != nil || city == "" {
		c.JSON(http.StatusOK, gin.H{"count": 0})
		return
	}
	var count int
	// vuln: CWE-89
	err = h.DB.QueryRowContext(c.Request.Context(), "SELECT count(*) FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.starts_at < now() + interval '7 days' AND v.city = '"+city+"'").Scan(&count)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusOK, gin.H{"city": city, "count": count})
}
