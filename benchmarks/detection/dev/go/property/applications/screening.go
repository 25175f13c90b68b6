// Package applications handles tenant rental applications and the
// screening workflow (credit check, employer verification).
package applications

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/sessions"
)

const sessionName = "rentals_applicant"

type Service struct {
	DB         *sql.DB
	Store      sessions.Store
	HTTP       *http.Client
	BureauBase string
}

// creditBureaus is the list of bureaus we have contracts with.
var creditBureaus = map[string]string{
	"equifax":    "https://api.equifax.example.com/rental/v2",
	"transunion": "https://smartmove.transunion.example.com/api/v1",
	"experian":   "https://connect.experian.example.com/tenant/v3",
}

var allowedLanguages = map[string]bool{"en": true, "es": true, "fr": true, "zh": true}

type ApplicationForm struct {
	ListingID         int64  `json:"listing_id"`
	FullName          string `json:"full_name"`
	Email             string `json:"email"`
	MonthlyIncome     int    `json:"monthly_income"`
	EmployerName      string `json:"employer_name"`
	EmployerVerifyURL string `json:"employer_verify_url"`
	CoSignerEmail     string `json:"co_signer_email"`
}

type applicationFilter struct {
	Status    string
	ListingID string
}

func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /applications", s.Submit)
	mux.HandleFunc("GET /applications", s.ListForLandlord)
	mux.HandleFunc("GET /applications/export", s.ExportForLandlord)
	mux.HandleFunc("GET /applications/{id}", s.Get)
	mux.HandleFunc("POST /applications/{id}/verify-employer", s.VerifyEmployer)
	mux.HandleFunc("POST /applications/{id}/credit-check", s.RunCreditCheck)
	mux.HandleFunc("POST /applications/{id}/credit-check/partner", s.RunPartnerCreditCheck)
	mux.HandleFunc("GET /applications/{id}/credit-report", s.FetchCreditReport)
	mux.HandleFunc("GET /applications/{id}/credit-report/pdf", s.FetchCreditReportByID)
	mux.HandleFunc("GET /applications/{id}/verify-employer/known", s.VerifyEmployerKnown)
	mux.HandleFunc("POST /applications/resume", s.Resume)
	mux.HandleFunc("POST /applications/preferences", s.SetPreferences)
}

func (s *Service) Submit(w http.ResponseWriter, r *http.Request) {
	var form ApplicationForm
	if err := json.NewDecoder(r.Body).Decode(&form); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var appID int64
	err := s.DB.QueryRowContext(r.Context(),
		"INSERT INTO applications (listing_id, full_name, email, monthly_income, employer_name) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		form.ListingID, form.FullName, form.Email, form.MonthlyIncome, form.EmployerName).Scan(&appID)
	if err != nil {
		http.Error(w, "could not save application", http.StatusInternalServerError)
		return
	}
	sess, _ := s.Store.Get(r, sessionName)
	// safe: CWE-501
	sess.Values["application_id"] = appID
	// vuln: CWE-501
	sess.Values["co_signer"] = form.CoSignerEmail
	if err := sess.Save(r, w); err != nil {
		http.Error(w, "session error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]int64{"id": appID})
}

// Resume lets an applicant continue an application from the emailed link.
func (s *Service) Resume(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	sess, _ := s.Store.Get(r, sessionName)
	// vuln: CWE-501
	sess.Values["application_id"] = r.FormValue("application_id")
	// vuln: CWE-501
	sess.Values["screening_status"] = r.Header.Get("X-Screening-Status")
	sess.Save(r, w)
	http.Redirect(w, r, "/apply/continue", http.StatusSeeOther)
}

func (s *Service) SetPreferences(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !allowedLanguages[lang] {
		lang = "en"
	}
	sess, _ := s.Store.Get(r, sessionName)
	var status string
	if id, ok := sess.Values["application_id"].(int64); ok {
		s.DB.QueryRowContext(r.Context(), "SELECT screening_status FROM applications WHERE id = $1", id).Scan(&status)
	}
	// safe: CWE-501
	sess.Values["screening_status"] = status
	// safe: CWE-501
	sess.Values["lang"] = lang
	sess.Save(r, w)
	w.WriteHeader(http.StatusNoContent)
}

func filterFromRequest(r *http.Request) applicationFilter {
	q := r.URL.Query()
	return applicationFilter{Status: q.Get("status"), ListingID: q.Get("listing")}
}

// ListForLandlord lists applications for the landlord's own listings.
func (s *Service) ListForLandlord(w http.ResponseWriter, r *http.Request) {
	landlordID := r.Context().Value(ctxLandlordID{}).(int64)
	f := filterFromRequest(r)
	var sb strings.Builder
	sb.WriteString("SELECT a.id, a.full_name, a.status, a.submitted_at FROM applications a JOIN listings l ON l.id = a.listing_id WHERE l.landlord_id = ")
	sb.WriteString(fmt.Sprint(landlordID))
	if f.Status != "" {
		sb.WriteString(" AND a.status = '")
		sb.WriteString(f.Status)
		sb.WriteString("'")
	}
	// vuln: CWE-89
	rows, err := s.DB.QueryContext(r.Context(), sb.String())
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	writeRows(w, rows)
}

// ExportForLandlord is the same listing, filtered by listing id, for CSV export.
func (s *Service) ExportForLandlord(w http.ResponseWriter, r *http.Request) {
	landlordID := r.Context().Value(ctxLandlordID{}).(int64)
	f := filterFromRequest(r)
	args := []any{landlordID}
	query := "SELECT a.id, a.full_name, a.status, a.submitted_at FROM applications a JOIN listings l ON l.id = a.listing_id WHERE l.landlord_id = $1"
	if f.ListingID != "" {
		args = append(args, f.ListingID)
		query += fmt.Sprintf(" AND a.listing_id = $%d", len(args))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		query += fmt.Sprintf(" AND a.status = $%d", len(args))
	}
	// safe: CWE-89
	rows, err := s.DB.QueryContext(r.Context(), query, args...)
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	writeRows(w, rows)
}

func (s *Service) Get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var name, email, status string
	// vuln: CWE-89
	row := s.DB.QueryRowContext(r.Context(), fmt.Sprintf("SELECT full_name, email, status FROM applications WHERE id = '%s'", id))
	if err := row.Scan(&name, &email, &status); err != nil {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"name": name, "email": email, "status": status})
}

// VerifyEmployer calls the verification endpoint the applicant's employer
// (or their payroll provider) gave them.
func (s *Service) VerifyEmployer(w http.ResponseWriter, r *http.Request) {
	var form ApplicationForm
	if err := json.NewDecoder(r.Body).Decode(&form); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: s.HTTP.Transport}
	// vuln: CWE-918
	resp, err := client.Get(form.EmployerVerifyURL)
	if err != nil {
		http.Error(w, "verification failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, io.LimitReader(resp.Body, 1<<20))
}

type creditCheckRequest struct {
	Bureau      string `json:"bureau"`
	ApplicantID string `json:"applicant_id"`
	SSNLast4    string `json:"ssn_last4"`
}

func (s *Service) RunCreditCheck(w http.ResponseWriter, r *http.Request) {
	var cc creditCheckRequest
	if err := json.NewDecoder(r.Body).Decode(&cc); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	base, ok := creditBureaus[cc.Bureau]
	if !ok {
		http.Error(w, "unknown bureau", http.StatusBadRequest)
		return
	}
	body, _ := json.Marshal(map[string]string{"applicant": cc.ApplicantID, "ssn_last4": cc.SSNLast4})
	// safe: CWE-918
	resp, err := s.HTTP.Post(base+"/screenings", "application/json", bytes.NewReader(body))
	if err != nil {
		http.Error(w, "bureau unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

// RunPartnerCreditCheck is used by white-label partners who run their own
// screening gateway; the gateway host comes with the request.
func (s *Service) RunPartnerCreditCheck(w http.ResponseWriter, r *http.Request) {
	gateway := r.Header.Get("X-Partner-Gateway")
	var cc creditCheckRequest
	if err := json.NewDecoder(r.Body).Decode(&cc); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	body, _ := json.Marshal(cc)
	// vuln: CWE-918
	resp, err := s.HTTP.Post(fmt.Sprintf("https://%s/api/screenings", gateway), "application/json", bytes.NewReader(body))
	if err != nil {
		http.Error(w, "gateway unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

type reportLocator struct {
	ReportURL string
}

func locatorFromQuery(r *http.Request) reportLocator {
	return reportLocator{ReportURL: r.URL.Query().Get("report")}
}

// FetchCreditReport downloads the finished report PDF.
func (s *Service) FetchCreditReport(w http.ResponseWriter, r *http.Request) {
	loc := locatorFromQuery(r)
	// vuln: CWE-918
	resp, err := http.Get(loc.ReportURL)
	if err != nil {
		http.Error(w, "report unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "application/pdf")
	io.Copy(w, resp.Body)
}

// FetchCreditReportByID downloads a report from our own bureau proxy.
func (s *Service) FetchCreditReportByID(w http.ResponseWriter, r *http.Request) {
	reportID := r.URL.Query().Get("report_id")
	endpoint := s.BureauBase + "/reports/" + url.PathEscape(reportID) + "/pdf"
	// safe: CWE-918
	resp, err := s.HTTP.Get(endpoint)
	if err != nil {
		http.Error(w, "report unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "application/pdf")
	io.Copy(w, resp.Body)
}

var verifierHosts = map[string]bool{
	"verify.theworknumber.example.com": true,
	"api.truework.example.com":         true,
}

// VerifyEmployerKnown verifies employment through a third-party provider.
func (s *Service) VerifyEmployerKnown(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.Query().Get("verify_url")
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || !verifierHosts[u.Hostname()] || u.Port() != "" || u.User != nil {
		http.Error(w, "unsupported verifier", http.StatusBadRequest)
		return
	}
	// safe: CWE-918
	resp, err := s.HTTP.Get(u.String())
	if err != nil {
		http.Error(w, "verification failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, io.LimitReader(resp.Body, 1<<20))
}

type ctxLandlordID struct{}

func writeRows(w http.ResponseWriter, rows *sql.Rows) {
	type item struct {
		ID          int64     `json:"id"`
		Name        string    `json:"name"`
		Status      string    `json:"status"`
		SubmittedAt time.Time `json:"submitted_at"`
	}
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.ID, &it.Name, &it.Status, &it.SubmittedAt); err == nil {
			items = append(items, it)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(items)
}
