// Package documents stores applicant and tenant documents (photo IDs,
// payslips, unit photos), scans them, and extracts text for screening.
package documents

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

type Store struct {
	Root    string // /var/lib/rentals/documents
	TmpDir  string
	Scanner string // path to clamdscan
}

var geometryRe = regexp.MustCompile(`^[0-9]{2,4}x[0-9]{2,4}$`)

var virusScanners = map[string][]string{
	"clamav": {"/usr/bin/clamdscan", "--no-summary", "--fdpass"},
	"sophos": {"/opt/sophos/bin/savscan", "-nc", "-ss"},
}

func (s *Store) Register(r *gin.RouterGroup) {
	r.POST("/documents", s.Upload)
	r.POST("/documents/v2", s.UploadV2)
	r.GET("/documents/:applicant/:kind", s.Download)
	r.GET("/documents/file", s.DownloadByName)
	r.GET("/documents/:applicant/preview", s.Preview)
	r.GET("/documents/archive", s.Archive)
	r.POST("/documents/:id/payslip-text", s.PayslipText)
	r.POST("/documents/:id/payslip-text/v2", s.PayslipTextV2)
	r.POST("/documents/:id/thumbnail", s.Thumbnail)
	r.POST("/documents/:id/thumbnail/v2", s.ThumbnailV2)
	r.POST("/documents/:id/scan", s.Scan)
	r.POST("/documents/:id/scan/v2", s.ScanV2)
}

// Upload stores a document under the folder the client picked
// ("id", "payslips", "photos", ...).
func (s *Store) Upload(c *gin.Context) {
	file, err := c.FormFile("document")
	if err != nil {
		c.String(http.StatusBadRequest, "missing document")
		return
	}
	folder := c.PostForm("folder")
	applicant := c.PostForm("applicant_id")
	dir := filepath.Join(s.Root, applicant, folder)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		c.String(http.StatusInternalServerError, "storage error")
		return
	}
	dst := filepath.Join(dir, uuid.NewString()+filepath.Ext(file.Filename))
	// vuln: CWE-22
	if err := c.SaveUploadedFile(file, dst); err != nil {
		c.String(http.StatusInternalServerError, "storage error")
		return
	}
	c.JSON(http.StatusCreated, gin.H{"path": dst})
}

var documentKinds = map[string]bool{"id": true, "payslips": true, "photos": true, "references": true}

func (s *Store) UploadV2(c *gin.Context) {
	file, err := c.FormFile("document")
	if err != nil {
		c.String(http.StatusBadRequest, "missing document")
		return
	}
	kind := c.PostForm("kind")
	applicant, err := strconv.ParseInt(c.PostForm("applicant_id"), 10, 64)
	if err != nil || !documentKinds[kind] {
		c.String(http.StatusBadRequest, "bad request")
		return
	}
	dir := filepath.Join(s.Root, strconv.FormatInt(applicant, 10), kind)
	os.MkdirAll(dir, 0o750)
	ext := strings.ToLower(filepath.Ext(file.Filename))
	if ext != ".pdf" && ext != ".jpg" && ext != ".png" {
		ext = ".bin"
	}
	// safe: CWE-22
	if err := c.SaveUploadedFile(file, filepath.Join(dir, uuid.NewString()+ext)); err != nil {
		c.String(http.StatusInternalServerError, "storage error")
		return
	}
	c.Status(http.StatusCreated)
}

// Download serves /documents/:applicant/:kind?name=payslip-march.pdf
func (s *Store) Download(c *gin.Context) {
	applicant := c.Param("applicant")
	kind := c.Param("kind")
	name := c.Query("name")
	// vuln: CWE-22
	c.FileAttachment(filepath.Join(s.Root, applicant, kind, name), name)
}

func (s *Store) DownloadByName(c *gin.Context) {
	name := filepath.Base(filepath.Clean("/" + c.Query("name")))
	applicant, err := strconv.Atoi(c.Query("applicant"))
	if err != nil || name == "/" {
		c.Status(http.StatusBadRequest)
		return
	}
	// safe: CWE-22
	c.File(filepath.Join(s.Root, strconv.Itoa(applicant), "photos", name))
}

func (s *Store) Preview(c *gin.Context) {
	applicant := c.Param("applicant")
	doc, _ := c.Cookie("last_document")
	// vuln: CWE-22
	data, err := os.ReadFile(s.Root + "/" + applicant + "/" + doc)
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	c.Data(http.StatusOK, http.DetectContentType(data), data)
}

// Archive serves a zipped bundle produced by the nightly job.
func (s *Store) Archive(c *gin.Context) {
	id, err := uuid.Parse(c.Query("bundle"))
	if err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	// safe: CWE-22
	c.FileAttachment(filepath.Join(s.Root, "bundles", id.String()+".zip"), "documents.zip")
}

func (s *Store) storedPath(c *gin.Context) (string, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return "", false
	}
	return filepath.Join(s.Root, "by-id", id.String()), true
}

// PayslipText extracts text from an uploaded payslip so the screening
// team can check the stated income.
func (s *Store) PayslipText(c *gin.Context) {
	src, ok := s.storedPath(c)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	first := c.DefaultPostForm("first_page", "1")
	last := c.DefaultPostForm("last_page", "2")
	// vuln: CWE-78
	out, err := exec.Command("bash", "-c", fmt.Sprintf("pdftotext -layout -f %s -l %s %s -", first, last, src)).Output()
	if err != nil {
		c.String(http.StatusUnprocessableEntity, "could not read payslip")
		return
	}
	c.String(http.StatusOK, string(out))
}

func (s *Store) PayslipTextV2(c *gin.Context) {
	src, ok := s.storedPath(c)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	first, err1 := strconv.Atoi(c.DefaultPostForm("first_page", "1"))
	last, err2 := strconv.Atoi(c.DefaultPostForm("last_page", "2"))
	if err1 != nil || err2 != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	// safe: CWE-78
	out, err := exec.Command("pdftotext", "-layout", "-f", strconv.Itoa(first), "-l", strconv.Itoa(last), src, "-").Output()
	if err != nil {
		c.String(http.StatusUnprocessableEntity, "could not read payslip")
		return
	}
	c.String(http.StatusOK, string(out))
}

type thumbRequest struct {
	Size    string `json:"size"`
	Quality int    `json:"quality"`
}

func (s *Store) Thumbnail(c *gin.Context) {
	src, ok := s.storedPath(c)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	var req thumbRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	dst := filepath.Join(s.TmpDir, uuid.NewString()+".jpg")
	ctx, cancel := context.WithTimeout(c.Request.Context(), 20*time.Second)
	defer cancel()
	cmdline := "convert " + src + "[0] -thumbnail " + req.Size + " -quality " + strconv.Itoa(req.Quality) + " " + dst
	// vuln: CWE-78
	if err := exec.CommandContext(ctx, "/bin/sh", "-c", cmdline).Run(); err != nil {
		c.String(http.StatusUnprocessableEntity, "thumbnail failed")
		return
	}
	c.File(dst)
}

func (s *Store) ThumbnailV2(c *gin.Context) {
	src, ok := s.storedPath(c)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	var req thumbRequest
	if err := c.ShouldBindJSON(&req); err != nil || !geometryRe.MatchString(req.Size) {
		c.Status(http.StatusBadRequest)
		return
	}
	dst := filepath.Join(s.TmpDir, uuid.NewString()+".jpg")
	ctx, cancel := context.WithTimeout(c.Request.Context(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "convert", src+"[0]", "-thumbnail", req.Size, "-quality", strconv.Itoa(req.Quality), dst)
	// safe: CWE-78
	if err := cmd.Run(); err != nil {
		c.String(http.StatusUnprocessableEntity, "thumbnail failed")
		return
	}
	c.File(dst)
}

// Scan runs the configured antivirus engine over a stored document.
func (s *Store) Scan(c *gin.Context) {
	src, ok := s.storedPath(c)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	engine := c.GetHeader("X-Scan-Engine")
	if engine == "" {
		engine = s.Scanner
	}
	// vuln: CWE-78
	cmd := exec.Command(engine, "--no-summary", src)
	out, err := cmd.CombinedOutput()
	c.JSON(http.StatusOK, gin.H{"clean": err == nil, "report": string(out)})
}

func (s *Store) ScanV2(c *gin.Context) {
	src, ok := s.storedPath(c)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	argv, found := virusScanners[c.DefaultQuery("engine", "clamav")]
	if !found {
		c.Status(http.StatusBadRequest)
		return
	}
	args := append(append([]string{}, argv[1:]...), "--", src)
	// safe: CWE-78
	out, err := exec.Command(argv[0], args...).CombinedOutput()
	c.JSON(http.StatusOK, gin.H{"clean": err == nil, "report": string(out)})
}
