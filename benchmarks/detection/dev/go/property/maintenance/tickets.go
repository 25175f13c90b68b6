// Package maintenance implements maintenance tickets: tenants open them,
// attach photos, staff update status, and vendors get a printable work order.
package maintenance

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	ttemplate "text/template"

	"github.com/go-chi/chi/v5"
)

type Ticket struct {
	ID          int64
	UnitID      int64
	Category    string
	Description string
	Status      string
	PhotoKeys   []string
}

type Handler struct {
	DB        *sql.DB
	PhotoRoot string // e.g. /srv/rentals/ticket-photos
	Pages     *template.Template
}

func (h *Handler) Routes() chi.Router {
	r := chi.NewRouter()
	r.Get("/tickets/{id}/print", h.PrintWorkOrder)
	r.Get("/tickets/{id}/print-v2", h.PrintWorkOrderV2)
	r.Get("/tickets/search", h.SearchHint)
	r.Post("/tickets/{id}/comments", h.PreviewComment)
	r.Get("/tickets/{id}/status-badge", h.StatusBadge)
	r.Get("/tickets/{id}/notice", h.VendorNotice)
	r.Get("/tickets/{id}/photo", h.Photo)
	r.Get("/tickets/{id}/photos-by-key", h.PhotoByKey)
	r.Delete("/tickets/{id}/photos", h.DeletePhoto)
	r.Get("/tickets/{id}/attachment", h.Attachment)
	r.Post("/tickets/{id}/close", h.Close)
	r.Post("/tickets/{id}/reopen", h.Reopen)
	r.Get("/tickets/{id}/vendor-portal", h.VendorPortal)
	r.Get("/tickets/{id}/back", h.Back)
	r.Get("/tickets/back", h.LegacyBack)
	r.Get("/tickets/thumbs", h.ServeThumbnail)
	r.Post("/tickets/logs/export", h.ExportTicketLog)
	return r
}

func (h *Handler) loadTicket(r *http.Request) (*Ticket, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return nil, err
	}
	t := &Ticket{ID: id}
	err = h.DB.QueryRowContext(r.Context(), "SELECT unit_id, category, description, status FROM tickets WHERE id = $1", id).
		Scan(&t.UnitID, &t.Category, &t.Description, &t.Status)
	return t, err
}

// ---- HTML output ----

const workOrderTmpl = `<html><body><h1>Work order #{{.ID}}</h1><p>Unit {{.UnitID}} &middot; {{.Category}}</p><pre>{{.Description}}</pre><p>Access notes: {{.Notes}}</p></body></html>`

var workOrderText = ttemplate.Must(ttemplate.New("wo").Parse(workOrderTmpl))
var workOrderHTML = template.Must(template.New("wo").Parse(workOrderTmpl))

type workOrderView struct {
	*Ticket
	Notes string
}

func (h *Handler) PrintWorkOrder(w http.ResponseWriter, r *http.Request) {
	t, err := h.loadTicket(r)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	view := workOrderView{Ticket: t, Notes: r.URL.Query().Get("notes")}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// vuln: CWE-79
	workOrderText.Execute(w, view)
}

func (h *Handler) PrintWorkOrderV2(w http.ResponseWriter, r *http.Request) {
	t, err := h.loadTicket(r)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	view := workOrderView{Ticket: t, Notes: r.URL.Query().Get("notes")}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// safe: CWE-79
	workOrderHTML.Execute(w, view)
}

// SearchHint renders the "showing results for" line under the search box.
func (h *Handler) SearchHint(w http.ResponseWriter, r *http.Request) {
	term := r.URL.Query().Get("q")
	w.Header().Set("Content-Type", "text/html")
	// vuln: CWE-79
	fmt.Fprintf(w, "<p class=\"hint\">Showing tickets matching <b>%s</b></p>", term)
}

type commentPreview struct {
	Body   string `json:"body"`
	Author string `json:"author"`
}

// PreviewComment renders a comment before it is posted.
func (h *Handler) PreviewComment(w http.ResponseWriter, r *http.Request) {
	var c commentPreview
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	out := "<div class=\"comment\"><span class=\"author\">" + template.HTMLEscapeString(c.Author) + "</span>"
	out += "<div class=\"body\">" + template.HTMLEscapeString(c.Body) + "</div></div>"
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// safe: CWE-79
	io.WriteString(w, out)
}

func (h *Handler) StatusBadge(w http.ResponseWriter, r *http.Request) {
	label := r.URL.Query().Get("label")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// safe: CWE-79
	fmt.Fprintf(w, "<span class=\"badge\">%s</span>", template.HTMLEscapeString(label))
}

// VendorNotice shows the notice a vendor sees when opening the ticket link.
func (h *Handler) VendorNotice(w http.ResponseWriter, r *http.Request) {
	t, err := h.loadTicket(r)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	vendor, _ := r.Cookie("vendor_name")
	name := "vendor"
	if vendor != nil {
		name, _ = url.QueryUnescape(vendor.Value)
	}
	// vuln: CWE-79
	page := template.HTML("<h2>Hello " + name + "</h2>")
	h.Pages.ExecuteTemplate(w, "vendor_notice.html", map[string]any{"Greeting": page, "Ticket": t})
}

// ---- photos and attachments ----

func (h *Handler) Photo(w http.ResponseWriter, r *http.Request) {
	ticketID := chi.URLParam(r, "id")
	name := r.URL.Query().Get("name")
	p := filepath.Join(h.PhotoRoot, ticketID, name)
	// vuln: CWE-22
	http.ServeFile(w, r, p)
}

// PhotoByKey serves photos referenced by the storage key recorded on the ticket.
func (h *Handler) PhotoByKey(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	// vuln: CWE-22
	f, err := os.Open(h.PhotoRoot + "/" + key)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	io.Copy(w, f)
}

func (h *Handler) DeletePhoto(w http.ResponseWriter, r *http.Request) {
	ticketID, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	name := filepath.Base(r.URL.Query().Get("name"))
	if name == "." || name == string(filepath.Separator) {
		http.Error(w, "bad name", http.StatusBadRequest)
		return
	}
	// safe: CWE-22
	if err := os.Remove(filepath.Join(h.PhotoRoot, strconv.FormatInt(ticketID, 10), name)); err != nil {
		http.NotFound(w, r)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// resolveUnder joins rel onto root and refuses anything that escapes root.
func resolveUnder(root, rel string) (string, bool) {
	full := filepath.Join(root, filepath.FromSlash(path.Clean("/"+rel)))
	back, err := filepath.Rel(root, full)
	if err != nil || back == ".." || strings.HasPrefix(back, ".."+string(filepath.Separator)) {
		return "", false
	}
	return full, true
}

func (h *Handler) Attachment(w http.ResponseWriter, r *http.Request) {
	rel := r.URL.Query().Get("file")
	full, ok := resolveUnder(h.PhotoRoot, rel)
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	// safe: CWE-22
	data, err := os.ReadFile(full)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(filepath.Base(full)))
	w.Write(data)
}

// ServeThumbnail serves a pre-rendered thumbnail.
func (h *Handler) ServeThumbnail(w http.ResponseWriter, r *http.Request) {
	root, err := os.OpenRoot(filepath.Join(h.PhotoRoot, "thumbs"))
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	defer root.Close()
	// safe: CWE-22
	f, err := root.Open(r.URL.Query().Get("thumb"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	io.Copy(w, f)
}

func (h *Handler) ExportTicketLog(w http.ResponseWriter, r *http.Request) {
	unit := r.FormValue("unit")
	logDir := filepath.Join(h.PhotoRoot, "..", "logs")
	// vuln: CWE-22
	data, err := os.ReadFile(fmt.Sprintf("%s/unit-%s.log", logDir, unit))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Write(data)
}

// ---- redirects after status changes ----

func (h *Handler) Close(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	h.DB.ExecContext(r.Context(), "UPDATE tickets SET status = 'closed' WHERE id = $1", id)
	next := r.FormValue("next")
	if next == "" {
		next = "/tickets"
	}
	// vuln: CWE-601
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func isLocalRedirect(target string) bool {
	if target == "" || target[0] != '/' {
		return false
	}
	if len(target) > 1 && (target[1] == '/' || target[1] == '\\') {
		return false
	}
	u, err := url.Parse(target)
	return err == nil && u.Scheme == "" && u.Host == ""
}

func (h *Handler) Reopen(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	h.DB.ExecContext(r.Context(), "UPDATE tickets SET status = 'open' WHERE id = $1", id)
	next := r.FormValue("next")
	if !isLocalRedirect(next) {
		next = "/tickets/" + url.PathEscape(id)
	}
	// safe: CWE-601
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// VendorPortal sends a vendor to their own scheduling system for the job.
func (h *Handler) VendorPortal(w http.ResponseWriter, r *http.Request) {
	vendorSite := r.URL.Query().Get("vendor_site")
	ticketID := chi.URLParam(r, "id")
	// vuln: CWE-601
	http.Redirect(w, r, "https://"+vendorSite+"/jobs/import?ref=ticket-"+ticketID, http.StatusFound)
}

var backTargets = map[string]string{
	"board":    "/tickets/board",
	"calendar": "/tickets/calendar",
	"unit":     "/units",
}

func (h *Handler) Back(w http.ResponseWriter, r *http.Request) {
	dest, ok := backTargets[r.URL.Query().Get("to")]
	if !ok {
		dest = "/tickets"
	}
	// safe: CWE-601
	http.Redirect(w, r, dest, http.StatusFound)
}

// LegacyBack is kept for links in old notification emails.
func (h *Handler) LegacyBack(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("return")
	if ref == "" {
		ref = "/tickets"
	}
	// vuln: CWE-601
	w.Header().Set("Location", ref)
	w.WriteHeader(http.StatusFound)
}
