// Package dispatch serves the dispatcher console: shipment queries and status pages (Gin, sqlx, pgx).
package dispatch

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jmoiron/sqlx"
)

type Server struct {
	DB   *sqlx.DB
	Pool *pgxpool.Pool
}

type Shipment struct {
	ID     int64  `db:"id" json:"id"`
	Status string `db:"status" json:"status"`
}

var statuses = map[string]bool{"in_transit": true, "delivered": true, "exception": true}

func (s *Server) ByDriver(c *gin.Context) {
	driver := c.Query("driver")
	var out []Shipment
	// vuln: CWE-89
	err := s.DB.Select(&out, "SELECT id, status FROM shipments WHERE driver_code = '"+driver+"'")
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) ByRoute(c *gin.Context) {
	route := c.Param("route")
	// vuln: CWE-89
	rows, err := s.Pool.Query(context.Background(), fmt.Sprintf("SELECT id, status FROM shipments WHERE route = '%s' ORDER BY eta", route))
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	c.Status(http.StatusOK)
}

func (s *Server) reassign(from, to string) error {
	stmt := "UPDATE shipments SET driver_code = '" + to + "' WHERE driver_code = '" + from + "'"
	// vuln: CWE-89
	_, err := s.DB.Exec(stmt)
	return err
}

func (s *Server) Reassign(c *gin.Context) {
	var body struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if err := c.BindJSON(&body); err != nil {
		return
	}
	if err := s.reassign(body.From, body.To); err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
	}
}

func (s *Server) ByDepot(c *gin.Context) {
	depot := c.GetHeader("X-Depot")
	var count int
	// vuln: CWE-89
	err := s.DB.Get(&count, fmt.Sprintf("SELECT COUNT(*) FROM shipments WHERE depot = '%s' AND status <> 'delivered'", depot))
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusOK, gin.H{"backlog": count})
}

func (s *Server) ByDriverSafe(c *gin.Context) {
	var out []Shipment
	// safe: CWE-89
	err := s.DB.Select(&out, "SELECT id, status FROM shipments WHERE driver_code = $1", c.Query("driver"))
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) ByRouteSafe(c *gin.Context) {
	// safe: CWE-89
	rows, err := s.Pool.Query(c.Request.Context(), "SELECT id, status FROM shipments WHERE route = $1 ORDER BY eta", c.Param("route"))
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	c.Status(http.StatusOK)
}

func (s *Server) ByStatus(c *gin.Context) {
	status := c.Param("status")
	if !statuses[status] {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	var out []Shipment
	// safe: CWE-89
	err := s.DB.Select(&out, "SELECT id, status FROM shipments WHERE status = '"+status+"'")
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) Page(c *gin.Context) {
	page, err := strconv.Atoi(c.DefaultQuery("page", "1"))
	if err != nil || page < 1 {
		page = 1
	}
	var out []Shipment
	// safe: CWE-89
	err = s.DB.Select(&out, fmt.Sprintf("SELECT id, status FROM shipments ORDER BY id LIMIT 50 OFFSET %d", (page-1)*50))
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusOK, out)
}

func StatusBanner(c *gin.Context) {
	msg := c.Query("msg")
	// vuln: CWE-79
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<div class=\"banner\">"+msg+"</div>"))
}

func DriverCard(c *gin.Context) {
	name := c.PostForm("name")
	c.Header("Content-Type", "text/html")
	// vuln: CWE-79
	c.String(http.StatusOK, "<div class=\"card\"><h3>%s</h3></div>", name)
}

var cardTmpl = template.Must(template.New("card").Parse(`<div class="card">{{.Name}}</div>`))

func RouteNote(c *gin.Context) {
	note := c.GetHeader("X-Route-Note")
	// vuln: CWE-79
	cardTmpl.Execute(c.Writer, map[string]any{"Name": template.HTML(note)})
}

func DepotTitle(w http.ResponseWriter, r *http.Request) {
	depot := r.URL.Query().Get("depot")
	w.Header().Set("Content-Type", "text/html")
	// vuln: CWE-79
	fmt.Fprint(w, "<title>Depot "+depot+"</title>")
}

func StatusBannerSafe(c *gin.Context) {
	// safe: CWE-79
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<div class=\"banner\">"+template.HTMLEscapeString(c.Query("msg"))+"</div>"))
}

func DriverCardSafe(c *gin.Context) {
	// safe: CWE-79
	cardTmpl.Execute(c.Writer, map[string]any{"Name": c.PostForm("name")})
}

func RouteNoteSafe(c *gin.Context) {
	// safe: CWE-79
	c.JSON(http.StatusOK, gin.H{"note": c.GetHeader("X-Route-Note")})
}

func DepotTitleSafe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	// safe: CWE-79
	fmt.Fprint(w, "Depot "+r.URL.Query().Get("depot"))
}
