// Package ops contains admin and operations tools: database backups, report
// exports, log search and scheduled maintenance jobs.
package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
)

type Admin struct {
	BackupDir string
	ExportDir string
	LogFile   string
	DBName    string
}

func (a *Admin) Routes() chi.Router {
	r := chi.NewRouter()
	r.Post("/backups/table", a.BackupTable)
	r.Post("/backups/table-safe", a.BackupTableArgs)
	r.Post("/backups/archive", a.ArchiveUploads)
	r.Get("/backups/{name}", a.DownloadBackup)
	r.Get("/logs/search", a.SearchLogs)
	r.Get("/logs/grep", a.GrepLogs)
	r.Post("/jobs/{job}/run", a.RunJob)
	r.Post("/jobs/reindex", a.Reindex)
	r.Get("/exports/download", a.DownloadExport)
	r.Get("/exports/{id}", a.ExportByID)
	r.Get("/exports/shared/{name}", a.SharedExport)
	r.Get("/reports/raw", a.RawReport)
	return r
}

var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// BackupTable dumps one table to a compressed file before a risky migration.
func (a *Admin) BackupTable(w http.ResponseWriter, r *http.Request) {
	table := r.FormValue("table")
	out := filepath.Join(a.BackupDir, fmt.Sprintf("%s-%d.sql.gz", table, time.Now().Unix()))
	// vuln: CWE-78
	cmd := exec.CommandContext(r.Context(), "sh", "-c", "pg_dump --data-only -t "+table+" "+a.DBName+" | gzip > "+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		http.Error(w, string(b), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// BackupTableArgs is the variant used by the nightly scheduler.
func (a *Admin) BackupTableArgs(w http.ResponseWriter, r *http.Request) {
	table := r.FormValue("table")
	if !tableName.MatchString(table) {
		http.Error(w, "bad table", http.StatusBadRequest)
		return
	}
	out := filepath.Join(a.BackupDir, fmt.Sprintf("%s-%d.dump", table, time.Now().Unix()))
	// safe: CWE-78
	cmd := exec.CommandContext(r.Context(), "pg_dump", "--format=custom", "--table", table, "--file", out, a.DBName)
	if b, err := cmd.CombinedOutput(); err != nil {
		http.Error(w, string(b), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

type archiveRequest struct {
	EventID string `json:"event_id"`
	Label   string `json:"label"`
}

// ArchiveUploads packs the upload folder of a finished event.
func (a *Admin) ArchiveUploads(w http.ResponseWriter, r *http.Request) {
	var req archiveRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	archive := filepath.Join(a.BackupDir, "events", req.Label+".tar.gz")
	src := "/srv/tix/uploads/events/" + req.EventID
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Minute)
	defer cancel()
	// vuln: CWE-78
	if err := exec.CommandContext(ctx, "/bin/bash", "-c", fmt.Sprintf("tar -czf %s -C %s .", archive, src)).Run(); err != nil {
		http.Error(w, "archive failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// SearchLogs greps the application log for an order reference or e-mail.
func (a *Admin) SearchLogs(w http.ResponseWriter, r *http.Request) {
	pattern := r.URL.Query().Get("q")
	shellCmd := "grep -i '" + pattern + "' " + a.LogFile + " | tail -n 200"
	// vuln: CWE-78
	out, _ := exec.Command("/bin/sh", "-c", shellCmd).Output()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(out)
}

// GrepLogs is the search used by the support dashboard.
func (a *Admin) GrepLogs(w http.ResponseWriter, r *http.Request) {
	pattern := r.URL.Query().Get("q")
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	// safe: CWE-78
	out, _ := exec.CommandContext(ctx, "grep", "-i", "-F", "-m", "200", "--", pattern, a.LogFile).Output()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(out)
}

var jobScripts = map[string]string{
	"expire-holds":     "/opt/tix/jobs/expire_seat_holds.sh",
	"settle-payouts":   "/opt/tix/jobs/settle_payouts.sh",
	"purge-sessions":   "/opt/tix/jobs/purge_sessions.sh",
	"rebuild-seatmaps": "/opt/tix/jobs/rebuild_seatmaps.sh",
}

// RunJob triggers one of the scheduled maintenance jobs by hand.
func (a *Admin) RunJob(w http.ResponseWriter, r *http.Request) {
	script, ok := jobScripts[chi.URLParam(r, "job")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-78
	cmd := exec.Command("/bin/sh", script)
	cmd.Dir = "/opt/tix/jobs"
	if err := cmd.Start(); err != nil {
		http.Error(w, "could not start job", http.StatusInternalServerError)
		return
	}
	go cmd.Wait()
	w.WriteHeader(http.StatusAccepted)
}

// Reindex rebuilds the search index for a single event.
func (a *Admin) Reindex(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.FormValue("event_id"))
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	// safe: CWE-78
	out, err := exec.Command("sh", "-c", fmt.Sprintf("/opt/tix/bin/reindex --event %d && /opt/tix/bin/warm-cache", id)).CombinedOutput()
	if err != nil {
		http.Error(w, string(out), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// DownloadBackup streams a backup file to the admin.
func (a *Admin) DownloadBackup(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	// vuln: CWE-22
	data, err := os.ReadFile(a.BackupDir + "/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Disposition", "attachment")
	_, _ = w.Write(data)
}

// DownloadExport serves a generated report export (CSV/XLSX).
func (a *Admin) DownloadExport(w http.ResponseWriter, r *http.Request) {
	file := r.URL.Query().Get("file")
	// vuln: CWE-22
	f, err := os.Open(filepath.Join(a.ExportDir, "reports", file))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = io.Copy(w, f)
}

// ExportByID serves an export by its numeric id.
func (a *Admin) ExportByID(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-22
	f, err := os.Open(filepath.Join(a.ExportDir, "reports", fmt.Sprintf("export-%d.csv", id)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "text/csv")
	_, _ = io.Copy(w, f)
}

// SharedExport serves exports that were shared with a promoter.
func (a *Admin) SharedExport(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	root, err := os.OpenRoot(filepath.Join(a.ExportDir, "shared"))
	if err != nil {
		http.Error(w, "exports unavailable", http.StatusInternalServerError)
		return
	}
	defer root.Close()
	// safe: CWE-22
	f, err := root.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	_, _ = io.Copy(w, f)
}

// RawReport returns a raw report file.
func (a *Admin) RawReport(w http.ResponseWriter, r *http.Request) {
	rel := r.URL.Query().Get("path")
	if !filepath.IsLocal(rel) {
		http.Error(w, "invalid path", http.StatusBadRequest)
		return
	}
	// safe: CWE-22
	http.ServeFile(w, r, filepath.Join(a.ExportDir, "raw", rel))
}
