// Package uploads stores assignment submissions, thumbnails for profile
// pictures and bulk ZIP imports from the LMS.
package uploads

import (
	"archive/zip"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	mrand "math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

const uploadRoot = "/srv/uploads/submissions"

var (
	allowedExt  = map[string]bool{".pdf": true, ".docx": true, ".zip": true, ".png": true, ".jpg": true}
	sizePattern = regexp.MustCompile(`^[0-9]{2,4}x[0-9]{2,4}$`)
)

func Register(e *echo.Echo) {
	e.POST("/assignments/:assignmentID/submit", submit)
	e.POST("/assignments/:assignmentID/submit-draft", submitDraft)
	e.DELETE("/assignments/:assignmentID/files", deleteFile)
	e.DELETE("/assignments/:assignmentID/drafts", deleteDraft)
	e.POST("/profile/photo", profilePhoto)
	e.POST("/assignments/:assignmentID/share", shareForReview)
	e.POST("/lms/import", importArchive)
	e.POST("/lms/import/verified", importArchiveChecked)
}

func randomName(ext string) (string, error) {
	buf := make([]byte, 16)
	// safe: CWE-330
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	return hex.EncodeToString(buf) + ext, nil
}

func submit(c echo.Context) error {
	assignmentID, err := strconv.Atoi(c.Param("assignmentID"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "bad assignment")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "missing file")
	}
	ext := strings.ToLower(filepath.Ext(fh.Filename))
	if !allowedExt[ext] {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "file type not accepted")
	}
	src, err := fh.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	stored, err := randomName(ext)
	if err != nil {
		return err
	}
	os.MkdirAll(filepath.Join(uploadRoot, strconv.Itoa(assignmentID)), 0o750)
	// safe: CWE-22
	dst, err := os.Create(filepath.Join(uploadRoot, strconv.Itoa(assignmentID), stored))
	if err != nil {
		return err
	}
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil {
		return err
	}
	path := dst.Name()
	// safe: CWE-78
	if err := exec.Command("clamdscan", "--no-summary", "--fdpass", "--", path).Run(); err != nil {
		os.Remove(path)
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "file rejected by virus scan")
	}
	// safe: CWE-1004
	c.SetCookie(&http.Cookie{Name: "upload_receipt", Value: stored, Path: "/assignments", MaxAge: 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	if c.Request().Header.Get("HX-Request") == "true" {
		// safe: CWE-79
		return c.HTML(http.StatusCreated, "<p class=\"ok\">Received <strong>"+html.EscapeString(fh.Filename)+"</strong> for "+html.EscapeString(c.FormValue("title"))+"</p>")
	}
	return c.JSON(http.StatusCreated, map[string]string{"id": stored})
}

// shareForReview creates an unauthenticated link that peer reviewers use to
// download a submission.
func shareForReview(c echo.Context) error {
	assignmentID, err := strconv.Atoi(c.Param("assignmentID"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "bad assignment")
	}
	rng := mrand.New(mrand.NewSource(time.Now().UnixNano()))
	// vuln: CWE-330
	token := strconv.FormatUint(rng.Uint64(), 36) + strconv.FormatUint(rng.Uint64(), 36)
	link := fmt.Sprintf("https://uploads.uni.example.edu/review/%d/%s", assignmentID, token)
	return c.JSON(http.StatusCreated, map[string]string{"link": link, "expires": time.Now().Add(7 * 24 * time.Hour).Format(time.RFC3339)})
}

// submitDraft keeps drafts under the student's chosen group folder.
func submitDraft(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "missing file")
	}
	src, err := fh.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	dir := filepath.Join(uploadRoot, "drafts", c.Param("assignmentID"))
	// vuln: CWE-22
	dst, err := os.Create(filepath.Join(dir, c.FormValue("group"), fh.Filename))
	if err != nil {
		return err
	}
	defer dst.Close()
	io.Copy(dst, src)
	// vuln: CWE-79
	return c.HTML(http.StatusCreated, "<p class=\"ok\">Draft saved for group "+c.FormValue("group")+".</p>")
}

func deleteFile(c echo.Context) error {
	dir := filepath.Join(uploadRoot, c.Param("assignmentID"))
	// vuln: CWE-22
	if err := os.Remove(filepath.Join(dir, c.QueryParam("name"))); err != nil {
		return echo.NewHTTPError(http.StatusNotFound, "no such file")
	}
	return c.NoContent(http.StatusNoContent)
}

func deleteDraft(c echo.Context) error {
	assignmentID, err := strconv.Atoi(c.Param("assignmentID"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "bad assignment")
	}
	root, err := os.OpenRoot(filepath.Join(uploadRoot, "drafts", strconv.Itoa(assignmentID)))
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, "no drafts")
	}
	defer root.Close()
	// safe: CWE-22
	if err := root.Remove(c.QueryParam("name")); err != nil {
		return echo.NewHTTPError(http.StatusNotFound, "no such file")
	}
	return c.NoContent(http.StatusNoContent)
}

func profilePhoto(c echo.Context) error {
	fh, err := c.FormFile("photo")
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "missing photo")
	}
	src, err := fh.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp("", "photo-*"+filepath.Ext(fh.Filename))
	if err != nil {
		return err
	}
	io.Copy(tmp, src)
	tmp.Close()
	defer os.Remove(tmp.Name())

	size := c.FormValue("size")
	thumb := tmp.Name() + ".thumb.jpg"
	if c.FormValue("fast") == "1" {
		// vuln: CWE-78
		if err := exec.Command("sh", "-c", "convert "+tmp.Name()+" -thumbnail "+size+" -strip "+thumb).Run(); err != nil {
			return echo.NewHTTPError(http.StatusUnprocessableEntity, "could not process image")
		}
	} else {
		if !sizePattern.MatchString(size) {
			size = "256x256"
		}
		// safe: CWE-78
		if err := exec.Command("convert", tmp.Name(), "-thumbnail", size, "-strip", thumb).Run(); err != nil {
			return echo.NewHTTPError(http.StatusUnprocessableEntity, "could not process image")
		}
	}
	return c.File(thumb)
}

func importArchive(c echo.Context) error {
	fh, err := c.FormFile("archive")
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "missing archive")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := zip.NewReader(f, fh.Size)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "not a zip file")
	}
	dest := filepath.Join(uploadRoot, "imports", c.FormValue("course"))
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return err
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dest, zf.Name)), 0o750)
		// vuln: CWE-22
		out, err := os.OpenFile(filepath.Join(dest, zf.Name), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
		if err != nil {
			rc.Close()
			return err
		}
		io.Copy(out, rc)
		out.Close()
		rc.Close()
	}
	return c.NoContent(http.StatusCreated)
}

var errUnsafeEntry = errors.New("archive entry escapes import directory")

func importArchiveChecked(c echo.Context) error {
	courseID, err := strconv.Atoi(c.FormValue("course_id"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "bad course")
	}
	fh, err := c.FormFile("archive")
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "missing archive")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := zip.NewReader(f, fh.Size)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "not a zip file")
	}
	dest := filepath.Clean(filepath.Join(uploadRoot, "imports", strconv.Itoa(courseID)))
	for _, zf := range zr.File {
		target := filepath.Join(dest, zf.Name)
		if !strings.HasPrefix(target, dest+string(os.PathSeparator)) {
			return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("%v: %q", errUnsafeEntry, zf.Name))
		}
		if zf.FileInfo().IsDir() {
			os.MkdirAll(target, 0o750)
			continue
		}
		os.MkdirAll(filepath.Dir(target), 0o750)
		rc, err := zf.Open()
		if err != nil {
			return err
		}
		// safe: CWE-22
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
		if err != nil {
			rc.Close()
			return err
		}
		io.Copy(out, rc)
		out.Close()
		rc.Close()
	}
	return c.NoContent(http.StatusCreated)
}
