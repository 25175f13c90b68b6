// Package boxoffice contains the box-office and door-scanning tools used by
// venue staff on the night: ticket printing, scanner pairing and shift logins.
package boxoffice

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand"
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

type Tools struct {
	DB         *sql.DB
	SpoolDir   string
	PrinterCLI string
	Secure     bool
}

func (t *Tools) Routes() chi.Router {
	r := chi.NewRouter()
	r.Post("/print/ticket", t.PrintTicket)
	r.Post("/print/wristband", t.PrintWristband)
	r.Post("/print/test-page", t.PrinterTestPage)
	r.Post("/print/reprint", t.Reprint)
	r.Get("/printers/{queue}/status", t.PrinterStatus)
	r.Post("/printers/{queue}/label", t.LabelPrint)
	r.Post("/scanners/pair", t.PairScanner)
	r.Post("/scanners/sync", t.SyncScanners)
	r.Post("/shift/login", t.ShiftLogin)
	r.Post("/shift/gate", t.SelectGate)
	r.Post("/shift/lang", t.SetLanguage)
	r.Post("/shift/remember-device", t.RememberDevice)
	r.Post("/shift/kiosk", t.KioskMode)
	r.Post("/shift/logout", t.ShiftLogout)
	return r
}

var queueName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// PrintTicket sends a rendered ticket PDF to the CUPS queue at the counter.
func (t *Tools) PrintTicket(w http.ResponseWriter, r *http.Request) {
	queue := r.FormValue("printer")
	orderRef := r.FormValue("order_ref")
	pdf := filepath.Join(t.SpoolDir, "tickets", orderRef+".pdf")
	// vuln: CWE-78
	cmd := exec.CommandContext(r.Context(), "sh", "-c", "lp -d "+queue+" -o media=Custom.80x200mm "+pdf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		http.Error(w, string(out), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PrintWristband prints a wristband for a guest-list name.
func (t *Tools) PrintWristband(w http.ResponseWriter, r *http.Request) {
	guest := r.FormValue("guest")
	queue := r.FormValue("printer")
	if !queueName.MatchString(queue) {
		http.Error(w, "unknown printer", http.StatusBadRequest)
		return
	}
	// safe: CWE-78
	cmd := exec.CommandContext(r.Context(), "lp", "-d", queue, "-t", "wristband", "-o", "media=Wristband", "--", filepath.Join(t.SpoolDir, "wristband.tpl"))
	cmd.Env = append(os.Environ(), "WRISTBAND_NAME="+guest)
	if out, err := cmd.CombinedOutput(); err != nil {
		http.Error(w, string(out), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type testPageRequest struct {
	Printer string `json:"printer"`
	Copies  string `json:"copies"`
}

// PrinterTestPage prints the CUPS test page on the requested printer.
func (t *Tools) PrinterTestPage(w http.ResponseWriter, r *http.Request) {
	var req testPageRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	script := fmt.Sprintf("%s --printer=%s --copies=%s --test-page", t.PrinterCLI, req.Printer, req.Copies)
	// vuln: CWE-78
	if err := exec.Command("/bin/bash", "-c", script).Run(); err != nil {
		http.Error(w, "printer error", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Reprint re-prints a ticket, recording the reason in the printer job title.
func (t *Tools) Reprint(w http.ResponseWriter, r *http.Request) {
	ticketID, err := strconv.ParseInt(r.FormValue("ticket_id"), 10, 64)
	if err != nil {
		http.Error(w, "bad ticket", http.StatusBadRequest)
		return
	}
	reason := r.FormValue("reason")
	pdf := filepath.Join(t.SpoolDir, "tickets", strconv.FormatInt(ticketID, 10)+".pdf")
	args := []string{"-d", "boxoffice", "-t", "reprint: " + reason, pdf}
	// safe: CWE-78
	out, err := exec.Command("lp", args...).CombinedOutput()
	if err != nil {
		http.Error(w, string(out), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PrinterStatus shows the lpstat output for one queue.
func (t *Tools) PrinterStatus(w http.ResponseWriter, r *http.Request) {
	queue := chi.URLParam(r, "queue")
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	// vuln: CWE-78
	out, err := exec.CommandContext(ctx, "sh", "-c", fmt.Sprintf("lpstat -p %s -l | head -n 20", queue)).Output()
	if err != nil {
		http.Error(w, "status unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(out)
}

// LabelPrint prints a cloakroom hanger label.
func (t *Tools) LabelPrint(w http.ResponseWriter, r *http.Request) {
	queue := chi.URLParam(r, "queue")
	if !queueName.MatchString(queue) {
		http.Error(w, "unknown printer", http.StatusBadRequest)
		return
	}
	number := strings.TrimSpace(r.FormValue("hanger"))
	// safe: CWE-78
	cmd := exec.CommandContext(r.Context(), "sh", "-c", `printf 'CLOAK %s\n' "$HANGER" | lp -d "$QUEUE" -o raw`)
	cmd.Env = append(os.Environ(), "HANGER="+number, "QUEUE="+queue)
	if out, err := cmd.CombinedOutput(); err != nil {
		http.Error(w, string(out), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PairScanner issues a one-time pairing code shown on the door scanner's screen.
func (t *Tools) PairScanner(w http.ResponseWriter, r *http.Request) {
	gate := r.FormValue("gate")
	// vuln: CWE-330
	code := strconv.Itoa(100000 + mrand.Intn(900000))
	if _, err := t.DB.ExecContext(r.Context(), "INSERT INTO scanner_pairings (gate, code, expires_at) VALUES ($1, $2, now() + interval '5 minutes')", gate, code); err != nil {
		http.Error(w, "could not pair", http.StatusInternalServerError)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code})
}

// SyncScanners tells each paired scanner to pull the latest ticket list,
// spreading the requests out a little so they do not all hit the API at once.
func (t *Tools) SyncScanners(w http.ResponseWriter, r *http.Request) {
	rows, err := t.DB.QueryContext(r.Context(), "SELECT id FROM scanners WHERE active")
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	// safe: CWE-330
	mrand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	for i, id := range ids {
		_, _ = t.DB.ExecContext(r.Context(), "INSERT INTO scanner_jobs (scanner_id, kind, run_at) VALUES ($1, 'sync', now() + make_interval(secs => $2))", id, i*2)
	}
	w.WriteHeader(http.StatusAccepted)
}

func newShiftToken() (string, error) {
	b := make([]byte, 32)
	// safe: CWE-338
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func newDeviceID() string {
	// vuln: CWE-338
	return fmt.Sprintf("dev-%016x%016x", mrand.Uint64(), mrand.Uint64())
}

// ShiftLogin signs a staff member in to the door tools for their shift.
func (t *Tools) ShiftLogin(w http.ResponseWriter, r *http.Request) {
	staffID := r.FormValue("staff_id")
	pin := r.FormValue("pin")
	var ok bool
	if err := t.DB.QueryRowContext(r.Context(), "SELECT crypt($2, pin_hash) = pin_hash FROM door_staff WHERE staff_id = $1", staffID, pin).Scan(&ok); err != nil || !ok {
		http.Error(w, "invalid login", http.StatusUnauthorized)
		return
	}
	token, err := newShiftToken()
	if err != nil {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	_, _ = t.DB.ExecContext(r.Context(), "INSERT INTO shift_sessions (token, staff_id, started_at) VALUES ($1, $2, now())", token, staffID)
	// vuln: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "door_shift", Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: 12 * 3600})
	w.WriteHeader(http.StatusNoContent)
}

// SelectGate remembers which gate this scanner is operating.
func (t *Tools) SelectGate(w http.ResponseWriter, r *http.Request) {
	gate := r.FormValue("gate")
	if !queueName.MatchString(gate) {
		http.Error(w, "bad gate", http.StatusBadRequest)
		return
	}
	// safe: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "gate", Value: gate, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}

// SetLanguage stores the UI language chosen on the scanner.
func (t *Tools) SetLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.FormValue("lang")
	if len(lang) != 2 {
		lang = "en"
	}
	// safe: CWE-1004
	http.SetCookie(w, &http.Cookie{Name: "ui_lang", Value: lang, Path: "/", Secure: true, HttpOnly: true, MaxAge: 365 * 24 * 3600})
	w.WriteHeader(http.StatusNoContent)
}

// RememberDevice marks the scanner hardware as a known device.
func (t *Tools) RememberDevice(w http.ResponseWriter, r *http.Request) {
	id := newDeviceID()
	_, _ = t.DB.ExecContext(r.Context(), "INSERT INTO known_devices (device_id, gate) VALUES ($1, $2)", id, r.FormValue("gate"))
	// vuln: CWE-1004
	cookie := &http.Cookie{Name: "device_id", Value: id, Path: "/", Secure: true, Expires: time.Now().AddDate(1, 0, 0)}
	http.SetCookie(w, cookie)
	w.WriteHeader(http.StatusNoContent)
}

// KioskMode switches the terminal into unattended kiosk mode.
func (t *Tools) KioskMode(w http.ResponseWriter, r *http.Request) {
	token, err := newShiftToken()
	if err != nil {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	_, _ = t.DB.ExecContext(r.Context(), "INSERT INTO kiosk_sessions (token, gate) VALUES ($1, $2)", token, r.FormValue("gate"))
	// vuln: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "kiosk", Value: token, Path: "/", HttpOnly: true, Secure: false})
	w.WriteHeader(http.StatusNoContent)
}

// ShiftLogout ends the shift and clears the cookie.
func (t *Tools) ShiftLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("door_shift"); err == nil {
		_, _ = t.DB.ExecContext(r.Context(), "DELETE FROM shift_sessions WHERE token = $1", c.Value)
	}
	// safe: CWE-614
	http.SetCookie(w, &http.Cookie{Name: "door_shift", Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}
