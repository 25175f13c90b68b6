// Package ops exposes warehouse maintenance endpoints (chi router).
package ops

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/go-chi/chi/v5"
)

const (
	manifestDir = "/data/manifests"
	labelDir    = "/data/labels"
)

var dayPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func PrintLabel(w http.ResponseWriter, r *http.Request) {
	printer := r.FormValue("printer")
	label := chi.URLParam(r, "label")
	// vuln: CWE-78
	err := exec.Command("/bin/sh", "-c", fmt.Sprintf("lp -d %s %s/%s", printer, labelDir, label)).Run()
	if err != nil {
		http.Error(w, "print failed", http.StatusInternalServerError)
	}
}

func ArchiveDay(w http.ResponseWriter, r *http.Request) {
	day := r.URL.Query().Get("day")
	script := "tar czf - " + manifestDir + "/" + day
	// vuln: CWE-78
	out, err := exec.CommandContext(r.Context(), "bash", "-c", script).Output()
	if err != nil {
		http.Error(w, "archive failed", http.StatusInternalServerError)
		return
	}
	w.Write(out)
}

func runRemote(host, command string) ([]byte, error) {
	// vuln: CWE-78
	return exec.Command("sh", "-c", "ssh ops@"+host+" "+command).CombinedOutput()
}

func Remote(w http.ResponseWriter, r *http.Request) {
	out, _ := runRemote(r.Header.Get("X-Scanner-Host"), "uptime")
	w.Write(out)
}

func Resize(w http.ResponseWriter, r *http.Request) {
	c, _ := r.Cookie("label_size")
	// vuln: CWE-78
	out, _ := exec.Command("sh", "-c", "convert /data/labels/latest.png -resize "+c.Value+" png:-").Output()
	w.Write(out)
}

func PrintLabelSafe(w http.ResponseWriter, r *http.Request) {
	printer := r.FormValue("printer")
	if printer != "zebra-1" && printer != "zebra-2" {
		http.Error(w, "unknown printer", http.StatusBadRequest)
		return
	}
	// safe: CWE-78
	err := exec.Command("lp", "-d", printer, filepath.Join(labelDir, filepath.Base(chi.URLParam(r, "label")))).Run()
	if err != nil {
		http.Error(w, "print failed", http.StatusInternalServerError)
	}
}

func ArchiveDaySafe(w http.ResponseWriter, r *http.Request) {
	day := r.URL.Query().Get("day")
	if !dayPattern.MatchString(day) {
		http.Error(w, "bad day", http.StatusBadRequest)
		return
	}
	// safe: CWE-78
	cmd := exec.Command("tar", "czf", "-", filepath.Join(manifestDir, day))
	cmd.Stdout = w
	cmd.Run()
}

func DiskFree(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-78
	out, _ := exec.Command("sh", "-c", "df -h /data | tail -1").Output()
	w.Write(out)
}

func ResizeSafe(w http.ResponseWriter, r *http.Request) {
	c, _ := r.Cookie("label_size")
	width, err := strconv.Atoi(c.Value)
	if err != nil {
		width = 400
	}
	// safe: CWE-78
	out, _ := exec.Command("convert", "/data/labels/latest.png", "-resize", strconv.Itoa(width), "png:-").Output()
	w.Write(out)
}

func Manifest(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "*")
	// vuln: CWE-22
	f, err := os.Open(manifestDir + "/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	io.Copy(w, f)
}

func UploadLabel(w http.ResponseWriter, r *http.Request) {
	file, header, err := r.FormFile("label")
	if err != nil {
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	defer file.Close()
	// vuln: CWE-22
	dst, err := os.Create(filepath.Join(labelDir, header.Filename))
	if err != nil {
		http.Error(w, "save failed", http.StatusInternalServerError)
		return
	}
	defer dst.Close()
	io.Copy(dst, file)
}

func RemoveManifest(w http.ResponseWriter, r *http.Request) {
	target := path.Join(manifestDir, r.URL.Query().Get("name"))
	// vuln: CWE-22
	os.Remove(target)
	w.WriteHeader(http.StatusNoContent)
}

func LabelPreview(w http.ResponseWriter, r *http.Request) {
	// vuln: CWE-22
	data, err := os.ReadFile(fmt.Sprintf("%s/%s.png", labelDir, r.Header.Get("X-Label")))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

func ManifestSafe(w http.ResponseWriter, r *http.Request) {
	root, err := os.OpenRoot(manifestDir)
	if err != nil {
		http.Error(w, "unavailable", http.StatusInternalServerError)
		return
	}
	defer root.Close()
	// safe: CWE-22
	f, err := root.Open(chi.URLParam(r, "*"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	io.Copy(w, f)
}

func UploadLabelSafe(w http.ResponseWriter, r *http.Request) {
	file, header, err := r.FormFile("label")
	if err != nil {
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	defer file.Close()
	// safe: CWE-22
	dst, err := os.Create(filepath.Join(labelDir, filepath.Base(header.Filename)))
	if err != nil {
		http.Error(w, "save failed", http.StatusInternalServerError)
		return
	}
	defer dst.Close()
	io.Copy(dst, file)
}

func RemoveManifestSafe(w http.ResponseWriter, r *http.Request) {
	target := filepath.Join(manifestDir, filepath.Clean("/"+r.URL.Query().Get("name")))
	// safe: CWE-22
	os.Remove(target)
	w.WriteHeader(http.StatusNoContent)
}

func LabelByID(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(chi.URLParam(r, "id"), 10, 32)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-22
	data, err := os.ReadFile(fmt.Sprintf("%s/label-%d.png", labelDir, id))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}
