// Package ops holds the admin and operations endpoints: database backups,
// owner reports and data exports. Mounted under /admin behind staff auth.
package ops

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

type Admin struct {
	DB         *sql.DB
	BackupDir  string
	ReportsDir string
	PGHost     string
}

var tableName = regexp.MustCompile(`^[a-z_]{1,40}$`)

var exportTables = map[string]string{
	"tenants":  "tenants",
	"leases":   "leases",
	"payments": "payments",
	"tickets":  "tickets",
}

func (a *Admin) Routes() chi.Router {
	r := chi.NewRouter()
	r.Post("/backups", a.Backup)
	r.Post("/backups/table", a.BackupTable)
	r.Post("/backups/restore", a.Restore)
	r.Post("/backups/compress", a.CompressReports)
	r.Get("/reports/owner/{ownerID}", a.OwnerReport)
	r.Get("/reports/owner/{ownerID}/disk", a.ReportDiskUsage)
	r.Get("/exports/{table}", a.Export)
	r.Get("/exports/{table}/since", a.ExportSince)
	r.Get("/exports/payments/by-month", a.PaymentsByMonth)
	r.Get("/audit", a.AuditLog)
	return r
}

// Backup dumps the whole database with an optional label in the file name.
func (a *Admin) Backup(w http.ResponseWriter, r *http.Request) {
	label := r.FormValue("label")
	ts := time.Now().UTC().Format("20060102T150405")
	out := filepath.Join(a.BackupDir, "rentals-"+ts+"-"+label+".dump")
	// vuln: CWE-78
	cmd := exec.Command("sh", "-c", "pg_dump -Fc -h "+a.PGHost+" rentals > "+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		http.Error(w, "backup failed: "+string(b), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, out)
}

// BackupTable dumps a single table.
func (a *Admin) BackupTable(w http.ResponseWriter, r *http.Request) {
	table := r.FormValue("table")
	if !tableName.MatchString(table) {
		http.Error(w, "invalid table", http.StatusBadRequest)
		return
	}
	out := filepath.Join(a.BackupDir, fmt.Sprintf("%s-%d.dump", table, time.Now().Unix()))
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Minute)
	defer cancel()
	// safe: CWE-78
	cmd := exec.CommandContext(ctx, "pg_dump", "-Fc", "-h", a.PGHost, "-t", table, "-f", out, "rentals")
	if b, err := cmd.CombinedOutput(); err != nil {
		http.Error(w, "backup failed: "+string(b), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, out)
}

// Restore loads a dump into the staging database.
func (a *Admin) Restore(w http.ResponseWriter, r *http.Request) {
	dump := filepath.Base(r.FormValue("dump"))
	target := r.FormValue("target_db")
	// vuln: CWE-78
	err := exec.Command("/bin/bash", "-c", fmt.Sprintf("pg_restore --clean -h %s -d %s %s", a.PGHost, target, filepath.Join(a.BackupDir, dump))).Run()
	if err != nil {
		http.Error(w, "restore failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// CompressReports archives last month's owner reports.
func (a *Admin) CompressReports(w http.ResponseWriter, r *http.Request) {
	month := r.FormValue("month")
	if _, err := time.Parse("2006-01", month); err != nil {
		http.Error(w, "month must be YYYY-MM", http.StatusBadRequest)
		return
	}
	archive := filepath.Join(a.BackupDir, "reports-"+month+".tar.gz")
	// safe: CWE-78
	err := exec.Command("tar", "-czf", archive, "-C", a.ReportsDir, "--", month).Run()
	if err != nil {
		http.Error(w, "archive failed", http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, archive)
}

// OwnerReport renders a PDF statement for an owner with wkhtmltopdf.
func (a *Admin) OwnerReport(w http.ResponseWriter, r *http.Request) {
	ownerID, err := strconv.ParseInt(chi.URLParam(r, "ownerID"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	title := r.URL.Query().Get("title")
	src := fmt.Sprintf("http://127.0.0.1:8080/internal/statements/%d", ownerID)
	dst := filepath.Join(a.ReportsDir, fmt.Sprintf("owner-%d.pdf", ownerID))
	args := []string{"--title", title, "--quiet", src, dst}
	// safe: CWE-78
	if err := exec.CommandContext(r.Context(), "wkhtmltopdf", args...).Run(); err != nil {
		http.Error(w, "report failed", http.StatusInternalServerError)
		return
	}
	http.ServeFile(w, r, dst)
}

// ReportDiskUsage shows how much space an owner's report folder uses.
func (a *Admin) ReportDiskUsage(w http.ResponseWriter, r *http.Request) {
	ownerID := chi.URLParam(r, "ownerID")
	unit := r.Header.Get("X-Size-Unit")
	if unit == "" {
		unit = "-h"
	}
	shell := "du " + unit + " " + filepath.Join(a.ReportsDir, ownerID) + " | tail -1"
	// vuln: CWE-78
	out, err := exec.CommandContext(r.Context(), "sh", "-c", shell).Output()
	if err != nil {
		http.Error(w, "du failed", http.StatusInternalServerError)
		return
	}
	w.Write(out)
}

// ---- exports ----

func writeCSV(w http.ResponseWriter, rows *sql.Rows) {
	cols, _ := rows.Columns()
	cw := csv.NewWriter(w)
	cw.Write(cols)
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		rows.Scan(ptrs...)
		rec := make([]string, len(cols))
		for i, v := range vals {
			rec[i] = v.String
		}
		cw.Write(rec)
	}
	cw.Flush()
}

func (a *Admin) Export(w http.ResponseWriter, r *http.Request) {
	table, ok := exportTables[chi.URLParam(r, "table")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	// safe: CWE-89
	rows, err := a.DB.QueryContext(r.Context(), "SELECT * FROM "+table+" ORDER BY id")
	if err != nil {
		http.Error(w, "export failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	writeCSV(w, rows)
}

func (a *Admin) ExportSince(w http.ResponseWriter, r *http.Request) {
	table := chi.URLParam(r, "table")
	since := r.URL.Query().Get("since")
	query := "SELECT * FROM " + table
	if since != "" {
		query = query + " WHERE updated_at >= '" + since + "'"
	}
	w.Header().Set("Content-Type", "text/csv")
	// vuln: CWE-89
	rows, err := a.DB.QueryContext(r.Context(), query)
	if err != nil {
		http.Error(w, "export failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	writeCSV(w, rows)
}

func (a *Admin) PaymentsByMonth(w http.ResponseWriter, r *http.Request) {
	year, err1 := strconv.Atoi(r.URL.Query().Get("year"))
	month, err2 := strconv.Atoi(r.URL.Query().Get("month"))
	if err1 != nil || err2 != nil || month < 1 || month > 12 {
		http.Error(w, "bad period", http.StatusBadRequest)
		return
	}
	q := fmt.Sprintf("SELECT p.id, t.full_name, p.amount_cents, p.paid_at FROM payments p JOIN tenants t ON t.id = p.tenant_id WHERE date_part('year', p.paid_at) = %d AND date_part('month', p.paid_at) = %d", year, month)
	w.Header().Set("Content-Type", "text/csv")
	// safe: CWE-89
	rows, err := a.DB.QueryContext(r.Context(), q)
	if err != nil {
		http.Error(w, "export failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	writeCSV(w, rows)
}

type auditQuery struct {
	Actor  string
	Action string
	Limit  int
}

func parseAudit(r *http.Request) auditQuery {
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 || limit > 1000 {
		limit = 100
	}
	return auditQuery{Actor: r.URL.Query().Get("actor"), Action: r.URL.Query().Get("action"), Limit: limit}
}

func (a *Admin) AuditLog(w http.ResponseWriter, r *http.Request) {
	aq := parseAudit(r)
	conds := []string{"1=1"}
	args := []any{}
	if aq.Actor != "" {
		args = append(args, aq.Actor)
		conds = append(conds, "actor = $"+strconv.Itoa(len(args)))
	}
	if aq.Action != "" {
		args = append(args, aq.Action)
		conds = append(conds, "action = $"+strconv.Itoa(len(args)))
	}
	q := "SELECT id, actor, action, created_at FROM audit_log WHERE " + strings.Join(conds, " AND ") + " ORDER BY created_at DESC LIMIT " + strconv.Itoa(aq.Limit)
	w.Header().Set("Content-Type", "text/csv")
	// safe: CWE-89
	rows, err := a.DB.QueryContext(r.Context(), q, args...)
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	writeCSV(w, rows)
}

// ensureDirs is called at start-up.
func (a *Admin) ensureDirs() error {
	for _, d := range []string{a.BackupDir, a.ReportsDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	return nil
}
