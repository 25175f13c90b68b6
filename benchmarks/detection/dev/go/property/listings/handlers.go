// Package listings serves the public property search and listing pages.
package listings

import (
	"database/sql"
	"fmt"
	"html"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

type Listing struct {
	ID           int64  `json:"id"`
	Title        string `json:"title"`
	City         string `json:"city"`
	Neighborhood string `json:"neighborhood"`
	MonthlyRent  int    `json:"monthly_rent"`
	Bedrooms     int    `json:"bedrooms"`
	PetsAllowed  bool   `json:"pets_allowed"`
}

type Handler struct {
	DB *sql.DB
}

// sortColumns maps the public "sort" parameter onto real column names.
var sortColumns = map[string]string{
	"rent":   "monthly_rent",
	"newest": "created_at",
	"beds":   "bedrooms",
}

func (h *Handler) Register(r *gin.Engine) {
	g := r.Group("/listings")
	g.GET("", h.Search)
	g.GET("/browse", h.Browse)
	g.GET("/by-landlord", h.ByLandlord)
	g.GET("/:id", h.Show)
	g.GET("/:id/summary", h.Summary)
	g.GET("/empty", h.EmptyResults)
	g.GET("/empty-safe", h.EmptyResultsEscaped)
	g.GET("/saved/:name", h.SavedSearchBanner)
	g.GET("/saved-view/:name", h.SavedSearchView)
	g.GET("/preview", h.PreviewCard)
	g.GET("/preview/rendered", h.PreviewCardTemplate)
	g.POST("/favorites", h.AddFavorite)
	g.POST("/favorites/remove", h.RemoveFavorite)
	g.GET("/go", h.GoToListing)
}

func scanListings(rows *sql.Rows) ([]Listing, error) {
	defer rows.Close()
	var out []Listing
	for rows.Next() {
		var l Listing
		if err := rows.Scan(&l.ID, &l.Title, &l.City, &l.MonthlyRent, &l.Bedrooms); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Search handles GET /listings?city=...&max_rent=...
func (h *Handler) Search(c *gin.Context) {
	city := c.Query("city")
	q := "SELECT id, title, city, monthly_rent, bedrooms FROM listings WHERE status = 'active'"
	if city != "" {
		q += " AND city = '" + city + "'"
	}
	if maxRent, err := strconv.Atoi(c.Query("max_rent")); err == nil {
		q += fmt.Sprintf(" AND monthly_rent <= %d", maxRent)
	}
	// vuln: CWE-89
	rows, err := h.DB.QueryContext(c.Request.Context(), q)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	listings, err := scanListings(rows)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusOK, listings)
}

// Browse handles GET /listings/browse?neighborhood=...&sort=rent
func (h *Handler) Browse(c *gin.Context) {
	hood := c.Query("neighborhood")
	order, ok := sortColumns[c.DefaultQuery("sort", "newest")]
	if !ok {
		order = "created_at"
	}
	query := fmt.Sprintf("SELECT id, title, city, monthly_rent, bedrooms FROM listings WHERE neighborhood = $1 ORDER BY %s DESC LIMIT 50", order)
	// safe: CWE-89
	rows, err := h.DB.QueryContext(c.Request.Context(), query, hood)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	listings, _ := scanListings(rows)
	c.JSON(http.StatusOK, listings)
}

// ByLandlord handles GET /listings/by-landlord?landlord=...&order=...
func (h *Handler) ByLandlord(c *gin.Context) {
	landlord := c.Query("landlord")
	order := c.DefaultQuery("order", "created_at")
	// vuln: CWE-89
	rows, err := h.DB.Query(fmt.Sprintf("SELECT id, title, city, monthly_rent, bedrooms FROM listings WHERE landlord_id = $1 ORDER BY %s", order), landlord)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	listings, _ := scanListings(rows)
	c.JSON(http.StatusOK, listings)
}

// Show handles GET /listings/:id
func (h *Handler) Show(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	var l Listing
	// safe: CWE-89
	err = h.DB.QueryRow("SELECT id, title, city, monthly_rent, bedrooms FROM listings WHERE id = $1", id).Scan(&l.ID, &l.Title, &l.City, &l.MonthlyRent, &l.Bedrooms)
	if err == sql.ErrNoRows {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	c.JSON(http.StatusOK, l)
}

// Summary handles GET /listings/:id/summary, used by the map pins.
func (h *Handler) Summary(c *gin.Context) {
	id := c.Param("id")
	var title string
	var rent int
	// vuln: CWE-89
	err := h.DB.QueryRow("SELECT title, monthly_rent FROM listings WHERE id = " + id).Scan(&title, &rent)
	if err != nil {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	c.JSON(http.StatusOK, gin.H{"title": title, "rent": rent})
}

// EmptyResults renders the small fragment the search page swaps in when
// nothing matched.
func (h *Handler) EmptyResults(c *gin.Context) {
	city := c.Query("city")
	// vuln: CWE-79
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<div class=\"empty\">No listings found in "+city+". Try widening your search.</div>"))
}

func (h *Handler) EmptyResultsEscaped(c *gin.Context) {
	city := c.Query("city")
	// safe: CWE-79
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<div class=\"empty\">No listings found in "+html.EscapeString(city)+". Try widening your search.</div>"))
}

// SavedSearchBanner shows the "you are viewing saved search X" banner.
func (h *Handler) SavedSearchBanner(c *gin.Context) {
	name := c.Param("name")
	c.Header("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString("<section class=\"banner\"><h3>Saved search: ")
	b.WriteString(name)
	b.WriteString("</h3></section>")
	// vuln: CWE-79
	c.Writer.WriteString(b.String())
}

func (h *Handler) SavedSearchView(c *gin.Context) {
	name := c.Param("name")
	// safe: CWE-79
	c.HTML(http.StatusOK, "saved_search.tmpl", gin.H{"Name": name, "Results": []Listing{}})
}

type previewRequest struct {
	Title       string `form:"title"`
	Description string `form:"description"`
	Rent        int    `form:"rent"`
}

// PreviewCard lets a landlord preview how a listing card will look before
// publishing it.
func (h *Handler) PreviewCard(c *gin.Context) {
	var p previewRequest
	if err := c.ShouldBindQuery(&p); err != nil {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	card := fmt.Sprintf("<article class=\"card\"><h2>%s</h2><p>%s</p><span>$%d/mo</span></article>", p.Title, p.Description, p.Rent)
	c.Status(http.StatusOK)
	c.Header("Content-Type", "text/html")
	// vuln: CWE-79
	c.Writer.Write([]byte(card))
}

// PreviewCardTemplate renders the same preview through the shared card template.
func (h *Handler) PreviewCardTemplate(c *gin.Context) {
	var p previewRequest
	if err := c.ShouldBindQuery(&p); err != nil {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	// safe: CWE-79
	c.HTML(http.StatusOK, "card_preview.tmpl", gin.H{"Title": p.Title, "Description": p.Description, "Rent": p.Rent})
}

// localPath returns p when it is a same-site path, otherwise the listings
// index.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return "/listings"
	}
	u, err := url.Parse(p)
	if err != nil || u.IsAbs() || u.Host != "" {
		return "/listings"
	}
	return u.RequestURI()
}

func (h *Handler) AddFavorite(c *gin.Context) {
	listingID := c.PostForm("listing_id")
	userID := c.GetString("user_id")
	if _, err := h.DB.Exec("INSERT INTO favorites (user_id, listing_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", userID, listingID); err != nil {
		log.Printf("favorite: %v", err)
	}
	// vuln: CWE-601
	c.Redirect(http.StatusSeeOther, c.PostForm("return_to"))
}

func (h *Handler) RemoveFavorite(c *gin.Context) {
	listingID := c.PostForm("listing_id")
	userID := c.GetString("user_id")
	if _, err := h.DB.Exec("DELETE FROM favorites WHERE user_id = $1 AND listing_id = $2", userID, listingID); err != nil {
		log.Printf("favorite: %v", err)
	}
	back := localPath(c.PostForm("return_to"))
	// safe: CWE-601
	c.Redirect(http.StatusSeeOther, back)
}

// GoToListing is the target of short links in SMS alerts: /listings/go?l=123
func (h *Handler) GoToListing(c *gin.Context) {
	id, err := strconv.ParseInt(c.Query("l"), 10, 64)
	if err != nil || id <= 0 {
		c.Redirect(http.StatusFound, "/listings")
		return
	}
	// safe: CWE-601
	c.Redirect(http.StatusFound, fmt.Sprintf("/listings/%d#contact", id))
}
