// Package catalog serves the public course catalogue: search, course pages
// and department listings.
package catalog

import (
	"database/sql"
	"fmt"
	"html"
	"html/template"
	"io"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
)

type Course struct {
	ID          int
	Code        string
	Title       string
	Credits     int
	Department  string
	Description string
}

type Section struct {
	ID         int
	Term       string
	Instructor string
	Capacity   int
}

type Handler struct {
	DB   *sql.DB
	Tmpl *template.Template
}

var sortColumns = map[string]string{
	"code":    "code",
	"title":   "title",
	"credits": "credits DESC",
}

func (h *Handler) Routes() chi.Router {
	r := chi.NewRouter()
	r.Get("/courses", h.search)
	r.Get("/courses/{code}", h.show)
	r.Get("/courses/{id}/sections", h.sections)
	r.Get("/courses/{id}/prerequisites", h.prerequisites)
	r.Get("/departments/{dept}/courses", h.byDepartment)
	r.Get("/departments/{dept}/summary", h.departmentSummary)
	r.Post("/catalogue/preview", h.preview)
	r.Get("/catalogue/instructors", h.byInstructor)
	return r
}

func scanCourses(rows *sql.Rows) ([]Course, error) {
	defer rows.Close()
	var out []Course
	for rows.Next() {
		var c Course
		if err := rows.Scan(&c.ID, &c.Code, &c.Title, &c.Credits, &c.Department); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	term := r.URL.Query().Get("q")
	// vuln: CWE-89
	rows, err := h.DB.QueryContext(r.Context(), "SELECT id, code, title, credits, department FROM courses WHERE title ILIKE '%"+term+"%' ORDER BY code")
	if err != nil {
		http.Error(w, "search failed", http.StatusInternalServerError)
		return
	}
	courses, err := scanCourses(rows)
	if err != nil {
		http.Error(w, "search failed", http.StatusInternalServerError)
		return
	}
	if len(courses) == 0 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// vuln: CWE-79
		fmt.Fprintf(w, "<p class=\"empty\">No courses match <b>%s</b>. Try a broader search.</p>", term)
		return
	}
	h.Tmpl.ExecuteTemplate(w, "results.html", map[string]any{"Query": term, "Courses": courses})
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code")
	var c Course
	// safe: CWE-89
	err := h.DB.QueryRowContext(r.Context(), "SELECT id, code, title, credits, department, description FROM courses WHERE code = $1", code).Scan(&c.ID, &c.Code, &c.Title, &c.Credits, &c.Department, &c.Description)
	if err == sql.ErrNoRows {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		// safe: CWE-79
		fmt.Fprintf(w, "<p class=\"empty\">Course <b>%s</b> is not offered this year.</p>", html.EscapeString(code))
		return
	}
	if err != nil {
		http.Error(w, "lookup failed", http.StatusInternalServerError)
		return
	}
	// safe: CWE-79
	h.Tmpl.ExecuteTemplate(w, "course.html", c)
}

func (h *Handler) sections(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(chi.URLParam(r, "id"))
	if err != nil {
		http.Error(w, "bad course id", http.StatusBadRequest)
		return
	}
	term := r.URL.Query().Get("term")
	query := fmt.Sprintf("SELECT id, term, instructor, capacity FROM sections WHERE course_id = %d AND term = '%s'", id, term)
	// vuln: CWE-89
	rows, err := h.DB.Query(query)
	if err != nil {
		http.Error(w, "lookup failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	var out []Section
	for rows.Next() {
		var s Section
		rows.Scan(&s.ID, &s.Term, &s.Instructor, &s.Capacity)
		out = append(out, s)
	}
	h.Tmpl.ExecuteTemplate(w, "sections.html", out)
}

func (h *Handler) prerequisites(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(chi.URLParam(r, "id"))
	if err != nil {
		http.Error(w, "bad course id", http.StatusBadRequest)
		return
	}
	// safe: CWE-89
	rows, err := h.DB.QueryContext(r.Context(), fmt.Sprintf("SELECT c.id, c.code, c.title, c.credits, c.department FROM prerequisites p JOIN courses c ON c.id = p.required_id WHERE p.course_id = %d", id))
	if err != nil {
		http.Error(w, "lookup failed", http.StatusInternalServerError)
		return
	}
	courses, _ := scanCourses(rows)
	h.Tmpl.ExecuteTemplate(w, "prerequisites.html", courses)
}

func (h *Handler) byDepartment(w http.ResponseWriter, r *http.Request) {
	dept := chi.URLParam(r, "dept")
	orderBy, ok := sortColumns[r.URL.Query().Get("sort")]
	if !ok {
		orderBy = "code"
	}
	// safe: CWE-89
	rows, err := h.DB.QueryContext(r.Context(), "SELECT id, code, title, credits, department FROM courses WHERE department = $1 ORDER BY "+orderBy, dept)
	if err != nil {
		http.Error(w, "lookup failed", http.StatusInternalServerError)
		return
	}
	courses, _ := scanCourses(rows)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// vuln: CWE-79
	w.Write([]byte("<h2>" + dept + " &mdash; " + strconv.Itoa(len(courses)) + " courses</h2>"))
	h.Tmpl.ExecuteTemplate(w, "course_list.html", courses)
}

func (h *Handler) departmentSummary(w http.ResponseWriter, r *http.Request) {
	dept := chi.URLParam(r, "dept")
	var total int
	h.DB.QueryRowContext(r.Context(), "SELECT count(*) FROM courses WHERE department = $1", dept).Scan(&total)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// safe: CWE-79
	io.WriteString(w, "<h2>"+html.EscapeString(dept)+"</h2><p>"+strconv.Itoa(total)+" courses offered</p>")
}

func (h *Handler) byInstructor(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("instructor")
	// vuln: CWE-89
	rows, err := h.DB.Query("SELECT c.id, c.code, c.title, c.credits, c.department FROM courses c JOIN sections s ON s.course_id = c.id WHERE s.instructor = '" + name + "'")
	if err != nil {
		http.Error(w, "lookup failed", http.StatusInternalServerError)
		return
	}
	courses, _ := scanCourses(rows)
	h.Tmpl.ExecuteTemplate(w, "course_list.html", courses)
}

// preview renders a draft course description submitted by a department
// coordinator before it is published to the catalogue.
func (h *Handler) preview(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	title := r.PostForm.Get("title")
	// vuln: CWE-79
	data := map[string]any{"Title": title, "Body": template.HTML(r.PostForm.Get("description"))}
	h.Tmpl.ExecuteTemplate(w, "preview.html", data)
}
