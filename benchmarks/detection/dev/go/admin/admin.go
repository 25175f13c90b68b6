// Package admin holds the operator-only diagnostics and file endpoints.
package admin

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	reportDir = "/srv/reports"
	uploadDir = "/srv/uploads"
)

func Ping(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	// vuln: CWE-78
	out, err := exec.Command("sh", "-c", "ping -c 3 "+host).CombinedOutput()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Write(out)
}

func Thumbnail(w http.ResponseWriter, r *http.Request) {
	file := r.FormValue("file")
	cmdline := "convert " + filepath.Join(uploadDir, file) + " -resize 200x thumbs/" + file
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	// vuln: CWE-78
	if err := exec.CommandContext(ctx, "/bin/bash", "-c", cmdline).Run(); err != nil {
		http.Error(w, "convert failed", http.StatusInternalServerError)
	}
}

func gitLog(branch string) ([]byte, error) {
	// vuln: CWE-78
	cmd := exec.Command("bash", "-c", strings.Join([]string{"git", "log", "--oneline", "-n", "20", branch}, " "))
	cmd.Dir = "/srv/app"
	return cmd.Output()
}

func Commits(w http.ResponseWriter, r *http.Request) {
	out, _ := gitLog(r.PathValue("branch"))
	w.Write(out)
}

func Whois(w http.ResponseWriter, r *http.Request) {
	domain := r.Header.Get("X-Lookup-Domain")
	// vuln: CWE-78
	out, _ := exec.Command("sh", "-c", "whois "+domain+" | head -n 40").Output()
	w.Write(out)
}

func PingSafe(w http.ResponseWriter, r *http.Request) {
	ip := net.ParseIP(r.URL.Query().Get("host"))
	if ip == nil {
		http.Error(w, "not an IP address", http.StatusBadRequest)
		return
	}
	// safe: CWE-78
	out, err := exec.Command("ping", "-c", "3", ip.String()).CombinedOutput()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Write(out)
}

func Uptime(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-78
	out, _ := exec.Command("sh", "-c", "uptime && df -h /srv").Output()
	w.Write(out)
}

func ThumbnailSafe(w http.ResponseWriter, r *http.Request) {
	file := filepath.Base(r.FormValue("file"))
	width, err := strconv.Atoi(r.FormValue("width"))
	if err != nil {
		http.Error(w, "bad width", http.StatusBadRequest)
		return
	}
	// safe: CWE-78
	cmd := exec.CommandContext(r.Context(), "convert", filepath.Join(uploadDir, file), "-resize", strconv.Itoa(width)+"x", filepath.Join("thumbs", file))
	if err := cmd.Run(); err != nil {
		http.Error(w, "convert failed", http.StatusInternalServerError)
	}
}

func CommitsSafe(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-78
	cmd := exec.Command("git", "log", "--oneline", "-n", "20", "--end-of-options", r.PathValue("branch"))
	cmd.Dir = "/srv/app"
	out, _ := cmd.Output()
	w.Write(out)
}

func DownloadReport(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// vuln: CWE-22
	data, err := os.ReadFile(filepath.Join(reportDir, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

func ServeUpload(w http.ResponseWriter, r *http.Request) {
	// vuln: CWE-22
	http.ServeFile(w, r, uploadDir+"/"+r.URL.Query().Get("file"))
}

func DeleteUpload(w http.ResponseWriter, r *http.Request) {
	target := uploadDir + "/" + r.FormValue("path")
	// vuln: CWE-22
	if err := os.Remove(target); err != nil {
		http.Error(w, "delete failed", http.StatusInternalServerError)
	}
}

func ExportFile(w http.ResponseWriter, r *http.Request) {
	cookie, err := r.Cookie("last_export")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	// vuln: CWE-22
	f, err := os.Open(filepath.Join("/srv/exports", cookie.Value))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	http.ServeContent(w, r, "export.csv", time.Now(), f)
}

func DownloadReportSafe(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Query().Get("name"))
	// safe: CWE-22
	data, err := os.ReadFile(filepath.Join(reportDir, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

func DeleteUploadSafe(w http.ResponseWriter, r *http.Request) {
	target := filepath.Join(uploadDir, r.FormValue("path"))
	rel, err := filepath.Rel(uploadDir, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	// safe: CWE-22
	if err := os.Remove(target); err != nil {
		http.Error(w, "delete failed", http.StatusInternalServerError)
	}
}

func ExportByID(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-22
	f, err := os.Open(filepath.Join("/srv/exports", "export-"+strconv.Itoa(id)+".csv"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	http.ServeContent(w, r, "export.csv", time.Now(), f)
}

var uploads = http.FileServer(http.Dir(uploadDir))

func ServeUploadSafe(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-22
	http.StripPrefix("/uploads/", uploads).ServeHTTP(w, r)
}
