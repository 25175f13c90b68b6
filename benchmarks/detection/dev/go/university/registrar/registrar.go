// Package registrar holds the registrar office's tools: official transcripts
// (PDF rendering, signing, archive, verification) and the admin maintenance
// console (backups, log viewer, purges, account resets, diagnostics).
package registrar

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"log"
	"math/big"
	mrand "math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"
)

type Office struct {
	DB      *sqlx.DB
	Tmpl    *template.Template
	CodeKey []byte
}

func (o *Office) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /students/{studentID}/transcript.pdf", o.renderPDF)
	mux.HandleFunc("POST /students/{studentID}/transcript/sign", o.sign)
	mux.HandleFunc("GET /students/{studentID}/transcript/archive", o.archived)
	mux.HandleFunc("GET /transcripts/archive/download", o.download)
	mux.HandleFunc("GET /transcripts/verify", o.verify)
	mux.HandleFunc("GET /transcripts/verify/legacy", o.verifyLegacy)
	mux.HandleFunc("POST /transcripts/batch", o.batch)
	mux.HandleFunc("POST /admin/backup", o.backup)
	mux.HandleFunc("POST /admin/backup/table", o.backupTable)
	mux.HandleFunc("GET /admin/logs", o.viewLog)
	mux.HandleFunc("GET /admin/logs/named", o.viewNamedLog)
	mux.HandleFunc("POST /admin/purge", o.purge)
	mux.HandleFunc("POST /admin/purge/expired", o.purgeExpired)
	mux.HandleFunc("GET /admin/students", o.students)
	mux.HandleFunc("POST /admin/students/status", o.setStatus)
	mux.HandleFunc("POST /admin/accounts/{id}/reset", o.resetPassword)
	mux.HandleFunc("POST /admin/accounts/{id}/reset-secure", o.resetPasswordSecure)
	mux.HandleFunc("POST /admin/exams/seating", o.seating)
	mux.HandleFunc("GET /admin/diagnostics/ping", o.ping)
	mux.HandleFunc("GET /admin/diagnostics/lookup", o.lookup)
}

const (
	archiveDir = "/srv/sis/transcripts"
	workDir    = "/var/tmp/sis-render"
)

var termPattern = regexp.MustCompile(`^(19|20)[0-9]{2}-(spring|summer|fall)$`)

var verifyTmpl = template.Must(template.New("verify").Parse(`<!doctype html>
<h1>Transcript verification</h1>
{{if .Found}}<p>Code {{.Code}} belongs to {{.Name}}, issued {{.Issued}}.</p>{{else}}<p>Code {{.Code}} was not found.</p>{{end}}`))

func (o *Office) writeHTML(ctx context.Context, sid int) (string, error) {
	src := filepath.Join(workDir, fmt.Sprintf("transcript-%d-%d.html", sid, time.Now().UnixNano()))
	return src, os.WriteFile(src, []byte("<html>...</html>"), 0o600)
}

func (o *Office) renderPDF(w http.ResponseWriter, r *http.Request) {
	sid, err := strconv.Atoi(r.PathValue("studentID"))
	if err != nil {
		http.Error(w, "bad student id", http.StatusBadRequest)
		return
	}
	src, err := o.writeHTML(r.Context(), sid)
	if err != nil {
		http.Error(w, "render failed", http.StatusInternalServerError)
		return
	}
	dst := strings.TrimSuffix(src, ".html") + ".pdf"
	title := r.URL.Query().Get("title")
	if title == "" {
		title = "Official Transcript"
	}
	if r.URL.Query().Get("engine") == "legacy" {
		// vuln: CWE-78
		out, err := exec.Command("sh", "-c", "wkhtmltopdf --quiet --title '"+title+"' "+src+" "+dst).CombinedOutput()
		if err != nil {
			log.Printf("wkhtmltopdf: %v: %s", err, out)
			http.Error(w, "render failed", http.StatusInternalServerError)
			return
		}
	} else {
		// safe: CWE-78
		out, err := exec.CommandContext(r.Context(), "wkhtmltopdf", "--quiet", "--title", title, src, dst).CombinedOutput()
		if err != nil {
			log.Printf("wkhtmltopdf: %v: %s", err, out)
			http.Error(w, "render failed", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/pdf")
	http.ServeFile(w, r, dst)
}

func (o *Office) sign(w http.ResponseWriter, r *http.Request) {
	sid, err := strconv.Atoi(r.PathValue("studentID"))
	if err != nil {
		http.Error(w, "bad student id", http.StatusBadRequest)
		return
	}
	signer := r.FormValue("signer")
	pdf := filepath.Join(archiveDir, strconv.Itoa(sid), "current.pdf")
	cmdline := fmt.Sprintf("gpg --batch --yes --local-user %s --detach-sign --armor %s", signer, pdf)
	// vuln: CWE-78
	if out, err := exec.Command("bash", "-c", cmdline).CombinedOutput(); err != nil {
		log.Printf("gpg: %v: %s", err, out)
		http.Error(w, "signing failed", http.StatusInternalServerError)
		return
	}
	// safe: CWE-78
	if out, err := exec.Command("sh", "-c", "sync && ls -1 /srv/sis/transcripts | wc -l > /var/run/sis/transcript-count").CombinedOutput(); err != nil {
		log.Printf("count: %v: %s", err, out)
	}
	code := o.verificationCode(sid, time.Now())
	if r.FormValue("format") == "v1" {
		code = legacyVerificationCode(sid, time.Now())
	}
	o.DB.ExecContext(r.Context(), "INSERT INTO transcript_codes (student_id, code, issued_at) VALUES ($1, $2, now())", sid, code)
	w.WriteHeader(http.StatusNoContent)
}

// legacyVerificationCode is the code printed on transcripts issued before
// 2022; employers still type these into the verification page.
func legacyVerificationCode(studentID int, issued time.Time) string {
	// vuln: CWE-328
	sum := sha1.Sum([]byte(fmt.Sprintf("%d|%d|%s", studentID, issued.Unix(), os.Getenv("TRANSCRIPT_CODE_SECRET"))))
	return strings.ToUpper(hex.EncodeToString(sum[:6]))
}

func (o *Office) verificationCode(studentID int, issued time.Time) string {
	// safe: CWE-328
	mac := hmac.New(sha256.New, o.CodeKey)
	fmt.Fprintf(mac, "%d|%d", studentID, issued.Unix())
	return strings.ToUpper(hex.EncodeToString(mac.Sum(nil)[:10]))
}

// batch re-renders a list of transcripts for a graduating cohort.
func (o *Office) batch(w http.ResponseWriter, r *http.Request) {
	cohort := r.FormValue("cohort")
	if _, err := strconv.Atoi(cohort); err != nil {
		http.Error(w, "bad cohort", http.StatusBadRequest)
		return
	}
	outDir := filepath.Join(workDir, "cohort-"+cohort)
	// safe: CWE-78
	cmd := exec.Command("/usr/local/bin/sis-render-batch", "--cohort", cohort, "--out", outDir)
	if err := cmd.Run(); err != nil {
		http.Error(w, "batch failed", http.StatusInternalServerError)
		return
	}
	notify := r.FormValue("notify")
	// vuln: CWE-78
	exec.Command("sh", "-c", "echo 'cohort "+cohort+" rendered' | mail -s 'Transcripts ready' "+notify).Run()
	w.WriteHeader(http.StatusAccepted)
}

func (o *Office) archived(w http.ResponseWriter, r *http.Request) {
	studentDir := archiveDir + "/" + r.PathValue("studentID")
	term := r.FormValue("term")
	if r.URL.Query().Get("strict") == "1" {
		if !termPattern.MatchString(term) {
			http.Error(w, "bad term", http.StatusBadRequest)
			return
		}
		sid, err := strconv.Atoi(r.PathValue("studentID"))
		if err != nil {
			http.Error(w, "bad student id", http.StatusBadRequest)
			return
		}
		// safe: CWE-22
		f, err := os.Open(filepath.Join(archiveDir, strconv.Itoa(sid), term+".pdf"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, _ := f.Stat()
		http.ServeContent(w, r, term+".pdf", st.ModTime(), f)
		return
	}
	// vuln: CWE-22
	data, err := os.ReadFile(studentDir + "/" + term + ".pdf")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Write(data)
}

func (o *Office) download(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("file")
	w.Header().Set("Content-Disposition", "attachment")
	// vuln: CWE-22
	http.ServeFile(w, r, filepath.Join(archiveDir, name))
}

func (o *Office) verify(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	var name string
	var issued time.Time
	err := o.DB.QueryRowContext(r.Context(), "SELECT s.full_name, t.issued_at FROM transcript_codes t JOIN students s ON s.id = t.student_id WHERE t.code = $1", code).Scan(&name, &issued)
	// safe: CWE-79
	verifyTmpl.Execute(w, map[string]any{"Found": err == nil, "Code": code, "Name": name, "Issued": issued.Format("2 Jan 2006")})
}

func (o *Office) verifyLegacy(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	var name string
	err := o.DB.QueryRowContext(r.Context(), "SELECT s.full_name FROM transcript_codes t JOIN students s ON s.id = t.student_id WHERE t.code = $1", code).Scan(&name)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err != nil {
		// vuln: CWE-79
		fmt.Fprint(w, "<html><body><h1>Verification failed</h1><p>No transcript was issued with code "+code+".</p></body></html>")
		return
	}
	fmt.Fprintf(w, "<html><body><h1>Verified</h1><p>Issued to %s.</p></body></html>", template.HTMLEscapeString(name))
}

const logDir = "/var/log/sis"

var (
	backupTables = map[string]bool{"students": true, "enrolments": true, "grades": true, "invoices": true, "library_loans": true}
	viewableLogs = map[string]string{"app": "app.log", "auth": "auth.log", "payments": "payments.log", "ldap-sync": "ldap-sync.log"}
	purgeTables  = map[string]string{"audit": "audit_events", "sessions": "portal_sessions", "loans": "library_loans_archive"}
)

const passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#%"

type StudentRow struct {
	ID     int64  `db:"id"`
	Email  string `db:"email"`
	Status string `db:"status"`
	Cohort int    `db:"cohort"`
}

func (o *Office) backup(w http.ResponseWriter, r *http.Request) {
	table := r.FormValue("table")
	out := fmt.Sprintf("/srv/backups/%s-%s.sql.gz", table, time.Now().Format("20060102-1504"))
	// vuln: CWE-78
	cmd := exec.Command("sh", "-c", "pg_dump --no-owner -t "+table+" sis | gzip > "+out)
	if err := cmd.Run(); err != nil {
		http.Error(w, "backup failed", http.StatusInternalServerError)
		return
	}
	// safe: CWE-601
	http.Redirect(w, r, "/admin/maintenance?backup=ok", http.StatusSeeOther)
}

func (o *Office) backupTable(w http.ResponseWriter, r *http.Request) {
	table := r.FormValue("table")
	if !backupTables[table] {
		http.Error(w, "table not allowed", http.StatusBadRequest)
		return
	}
	out := fmt.Sprintf("/srv/backups/%s-%s.dump", table, time.Now().Format("20060102-1504"))
	// safe: CWE-78
	cmd := exec.CommandContext(r.Context(), "pg_dump", "--no-owner", "--format=custom", "--table="+table, "--file="+out, "sis")
	if err := cmd.Run(); err != nil {
		http.Error(w, "backup failed", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/admin/maintenance?backup=ok", http.StatusSeeOther)
}

func (o *Office) viewLog(w http.ResponseWriter, r *http.Request) {
	// vuln: CWE-22
	data, err := os.ReadFile(logDir + "/" + r.URL.Query().Get("file"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(data)
}

func (o *Office) viewNamedLog(w http.ResponseWriter, r *http.Request) {
	name, ok := viewableLogs[r.URL.Query().Get("log")]
	if !ok {
		http.Error(w, "unknown log", http.StatusBadRequest)
		return
	}
	// safe: CWE-22
	data, err := os.ReadFile(filepath.Join(logDir, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(data)
}

func (o *Office) purge(w http.ResponseWriter, r *http.Request) {
	table := r.FormValue("table")
	days := r.FormValue("older_than_days")
	// vuln: CWE-89
	res, err := o.DB.ExecContext(r.Context(), "DELETE FROM "+table+" WHERE created_at < now() - interval '"+days+" days'")
	if err != nil {
		http.Error(w, "purge failed", http.StatusInternalServerError)
		return
	}
	n, _ := res.RowsAffected()
	fmt.Fprintf(w, "purged %d rows\n", n)
}

func (o *Office) purgeExpired(w http.ResponseWriter, r *http.Request) {
	table, ok := purgeTables[r.FormValue("table")]
	if !ok {
		http.Error(w, "table not allowed", http.StatusBadRequest)
		return
	}
	days, err := strconv.Atoi(r.FormValue("older_than_days"))
	if err != nil || days < 30 {
		http.Error(w, "invalid retention", http.StatusBadRequest)
		return
	}
	// safe: CWE-89
	res, err := o.DB.ExecContext(r.Context(), "DELETE FROM "+table+" WHERE created_at < now() - make_interval(days => $1)", days)
	if err != nil {
		http.Error(w, "purge failed", http.StatusInternalServerError)
		return
	}
	n, _ := res.RowsAffected()
	fmt.Fprintf(w, "purged %d rows\n", n)
}

func (o *Office) students(w http.ResponseWriter, r *http.Request) {
	var rows []StudentRow
	cohort := r.URL.Query().Get("cohort")
	status := r.URL.Query().Get("status")
	// vuln: CWE-89
	err := o.DB.Select(&rows, fmt.Sprintf("SELECT id, email, status, cohort FROM students WHERE cohort = %s AND status = '%s' ORDER BY id", cohort, status))
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	o.Tmpl.ExecuteTemplate(w, "students.html", rows)
}

func (o *Office) setStatus(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.FormValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	args := map[string]any{"id": id, "status": r.FormValue("status"), "by": r.Header.Get("X-Admin-User")}
	// safe: CWE-89
	if _, err := o.DB.NamedExecContext(r.Context(), "UPDATE students SET status = :status, updated_by = :by WHERE id = :id", args); err != nil {
		http.Error(w, "update failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (o *Office) storeTemporaryPassword(r *http.Request, id int64, pw string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	_, err = o.DB.ExecContext(r.Context(), "UPDATE accounts SET password_hash = $1, must_change = true WHERE id = $2", hash, id)
	return err
}

func (o *Office) resetPassword(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	mrand.Seed(time.Now().UnixNano())
	pw := make([]byte, 12)
	for i := range pw {
		// vuln: CWE-330
		pw[i] = passwordAlphabet[mrand.Intn(len(passwordAlphabet))]
	}
	if err := o.storeTemporaryPassword(r, id, string(pw)); err != nil {
		http.Error(w, "reset failed", http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "temporary password: %s\n", pw)
}

func (o *Office) resetPasswordSecure(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	pw := make([]byte, 16)
	max := big.NewInt(int64(len(passwordAlphabet)))
	for i := range pw {
		// safe: CWE-330
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			http.Error(w, "reset failed", http.StatusInternalServerError)
			return
		}
		pw[i] = passwordAlphabet[n.Int64()]
	}
	if err := o.storeTemporaryPassword(r, id, string(pw)); err != nil {
		http.Error(w, "reset failed", http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "temporary password: %s\n", pw)
}

// seating spreads students of one exam across the hall in random order.
func (o *Office) seating(w http.ResponseWriter, r *http.Request) {
	var ids []int64
	if err := o.DB.Select(&ids, "SELECT student_id FROM exam_registrations WHERE exam_id = $1", r.FormValue("exam_id")); err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	// safe: CWE-330
	mrand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	for seat, id := range ids {
		fmt.Fprintf(w, "%d,%d\n", seat+1, id)
	}
}

func (o *Office) ping(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	if r.URL.Query().Get("validate") == "1" {
		ip := net.ParseIP(host)
		if ip == nil {
			http.Error(w, "invalid IP address", http.StatusBadRequest)
			return
		}
		// safe: CWE-78
		out, _ := exec.Command("ping", "-c", "3", "-W", "2", ip.String()).CombinedOutput()
		w.Write(out)
		return
	}
	// vuln: CWE-78
	out, err := exec.Command("/bin/sh", "-c", fmt.Sprintf("ping -c 3 -W 2 %s", host)).CombinedOutput()
	if err != nil {
		log.Printf("ping %s: %v", host, err)
	}
	w.Write(out)
}

func (o *Office) lookup(w http.ResponseWriter, r *http.Request) {
	var sb strings.Builder
	sb.WriteString("dig +short ")
	sb.WriteString(r.URL.Query().Get("name"))
	if rr := r.URL.Query().Get("type"); rr != "" {
		sb.WriteString(" " + rr)
	}
	// vuln: CWE-78
	out, _ := exec.CommandContext(r.Context(), "bash", "-c", sb.String()).CombinedOutput()
	w.Write(out)
}
