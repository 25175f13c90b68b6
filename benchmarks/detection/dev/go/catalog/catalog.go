// Package catalog serves product listings and search pages.
package catalog

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
)

type Handler struct {
	DB        *sql.DB
	Templates *template.Template
}

type Product struct {
	ID    int64   `json:"id"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

var sortable = map[string]string{"name": "name", "price": "price", "newest": "created_at DESC"}

func writeProducts(w http.ResponseWriter, rows *sql.Rows, err error) {
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	var products []Product
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.Price); err == nil {
			products = append(products, p)
		}
	}
	json.NewEncoder(w).Encode(products)
}

func (h *Handler) ListByCategory(w http.ResponseWriter, r *http.Request) {
	category := r.URL.Query().Get("category")
	// vuln: CWE-89
	rows, err := h.DB.Query("SELECT id, name, price FROM products WHERE category = '" + category + "'")
	writeProducts(w, rows, err)
}

func (h *Handler) Search(w http.ResponseWriter, r *http.Request) {
	term := r.FormValue("q")
	query := fmt.Sprintf("SELECT id, name, price FROM products WHERE name LIKE '%%%s%%'", term)
	// vuln: CWE-89
	rows, err := h.DB.QueryContext(r.Context(), query)
	writeProducts(w, rows, err)
}

func (h *Handler) productsByBrand(brand string) (*sql.Rows, error) {
	var b strings.Builder
	b.WriteString("SELECT id, name, price FROM products WHERE brand = '")
	b.WriteString(brand)
	b.WriteString("' AND active")
	// vuln: CWE-89
	return h.DB.Query(b.String())
}

func (h *Handler) ListByBrand(w http.ResponseWriter, r *http.Request) {
	rows, err := h.productsByBrand(r.PathValue("brand"))
	writeProducts(w, rows, err)
}

func (h *Handler) Sorted(w http.ResponseWriter, r *http.Request) {
	order := r.Header.Get("X-Sort")
	// vuln: CWE-89
	rows, err := h.DB.Query("SELECT id, name, price FROM products ORDER BY " + order)
	writeProducts(w, rows, err)
}

func (h *Handler) ListByCategorySafe(w http.ResponseWriter, r *http.Request) {
	category := r.URL.Query().Get("category")
	// safe: CWE-89
	rows, err := h.DB.Query("SELECT id, name, price FROM products WHERE category = $1", category)
	writeProducts(w, rows, err)
}

func (h *Handler) Get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var p Product
	// safe: CWE-89
	err = h.DB.QueryRowContext(r.Context(), fmt.Sprintf("SELECT id, name, price FROM products WHERE id = %d", id)).Scan(&p.ID, &p.Name, &p.Price)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(p)
}

func (h *Handler) SortedSafe(w http.ResponseWriter, r *http.Request) {
	order, ok := sortable[r.URL.Query().Get("order")]
	if !ok {
		order = "name"
	}
	// safe: CWE-89
	rows, err := h.DB.Query("SELECT id, name, price FROM products ORDER BY " + order)
	writeProducts(w, rows, err)
}

func (h *Handler) SearchSafe(w http.ResponseWriter, r *http.Request) {
	stmt, err := h.DB.Prepare("SELECT id, name, price FROM products WHERE name LIKE '%' || $1 || '%'")
	if err != nil {
		http.Error(w, "prepare failed", http.StatusInternalServerError)
		return
	}
	defer stmt.Close()
	// safe: CWE-89
	rows, err := stmt.Query(r.FormValue("q"))
	writeProducts(w, rows, err)
}

func Hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// vuln: CWE-79
	fmt.Fprintf(w, "<h1>Welcome back, %s!</h1>", name)
}

func SearchPage(w http.ResponseWriter, r *http.Request) {
	q := r.FormValue("q")
	w.Header().Set("Content-Type", "text/html")
	// vuln: CWE-79
	w.Write([]byte("<p>No results for <b>" + q + "</b></p>"))
}

var noteTmpl = template.Must(template.New("note").Parse(`<div class="note">{{.}}</div>`))

func PreviewNote(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	// vuln: CWE-79
	noteTmpl.Execute(w, template.HTML(body))
}

func NotFound(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusNotFound)
	// vuln: CWE-79
	io.WriteString(w, "<p>Nothing lives at "+r.URL.Path+"</p>")
}

func HelloSafe(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// safe: CWE-79
	fmt.Fprintf(w, "<h1>Welcome back, %s!</h1>", html.EscapeString(name))
}

var searchTmpl = template.Must(template.New("search").Parse(`<p>No results for <b>{{.Query}}</b></p>`))

func SearchPageSafe(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-79
	searchTmpl.Execute(w, struct{ Query string }{r.FormValue("q")})
}

func SearchAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	// safe: CWE-79
	json.NewEncoder(w).Encode(map[string]any{"query": r.FormValue("q"), "results": []Product{}})
}

func NotFoundSafe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	// safe: CWE-79
	io.WriteString(w, "Nothing lives at "+r.URL.Path)
}
