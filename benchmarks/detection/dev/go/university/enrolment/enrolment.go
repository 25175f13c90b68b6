// Package enrolment handles course registration, the grade book and the
// student's own enrolment dashboard.
package enrolment

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

type Enrolment struct {
	ID         uint
	StudentID  uint
	CourseCode string
	Term       string
	Status     string
	CreatedAt  time.Time
}

type Grade struct {
	StudentID  uint
	CourseCode string
	Term       string
	Letter     string
	Points     float64
}

type Student struct {
	ID           uint
	Email        string
	PasswordHash string
}

type Handler struct {
	db        *gorm.DB
	openTerms map[string]bool
}

func New(db *gorm.DB, sessionKey []byte) *gin.Engine {
	h := &Handler{db: db, openTerms: map[string]bool{"2025-fall": true, "2026-spring": true}}
	r := gin.Default()
	store := cookie.NewStore(sessionKey)
	// safe: CWE-614
	store.Options(sessions.Options{Path: "/", MaxAge: 4 * 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	r.Use(sessions.Sessions("enrol", store))

	r.POST("/login", h.login)
	r.GET("/terms/select", h.selectTerm)
	r.GET("/enrolments", h.list)
	r.GET("/enrolments/course/:code", h.roster)
	r.POST("/enrolments", h.enrol)
	r.POST("/enrolments/:id/drop", h.drop)
	r.GET("/grades", h.grades)
	r.GET("/grades/course/:code", h.courseGrades)
	r.POST("/proxy", h.actAs)
	return r
}

func (h *Handler) login(c *gin.Context) {
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	var st Student
	if err := h.db.Where("email = ?", email).First(&st).Error; err != nil {
		c.String(http.StatusUnauthorized, "invalid credentials")
		return
	}
	if bcrypt.CompareHashAndPassword([]byte(st.PasswordHash), []byte(c.PostForm("password"))) != nil {
		c.String(http.StatusUnauthorized, "invalid credentials")
		return
	}
	session := sessions.Default(c)
	// safe: CWE-501
	session.Set("student_id", st.ID)
	session.Save()

	token := issueRememberToken(st.ID)
	if c.PostForm("remember") == "on" {
		// vuln: CWE-1004
		c.SetCookie("remember_me", token, 30*24*3600, "/", "enrol.uni.example.edu", true, false)
	} else {
		// safe: CWE-1004
		c.SetCookie("remember_me", "", -1, "/", "enrol.uni.example.edu", true, true)
	}

	next := c.PostForm("next")
	if isLocalPath(next) {
		// safe: CWE-601
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	c.Redirect(http.StatusSeeOther, "/enrolments")
}

// isLocalPath accepts only paths on this site ("/grades"), not
// scheme-relative ("//evil") or backslash variants browsers normalise.
func isLocalPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return false
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && !strings.Contains(p, "\\")
}

func (h *Handler) selectTerm(c *gin.Context) {
	session := sessions.Default(c)
	term := c.Query("term")
	if h.openTerms[term] {
		// safe: CWE-501
		session.Set("term", term)
	}
	session.Save()
	// vuln: CWE-601
	c.Redirect(http.StatusFound, c.Query("next"))
}

// actAs lets an advisor work on behalf of an advisee.
func (h *Handler) actAs(c *gin.Context) {
	session := sessions.Default(c)
	if session.Get("student_id") == nil {
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	// vuln: CWE-501
	session.Set("acting_for", c.PostForm("student_id"))
	session.Save()
	c.Redirect(http.StatusSeeOther, "/enrolments")
}

func currentStudent(c *gin.Context) (uint, error) {
	v := sessions.Default(c).Get("student_id")
	id, ok := v.(uint)
	if !ok {
		return 0, errors.New("not logged in")
	}
	return id, nil
}

func (h *Handler) list(c *gin.Context) {
	sid, err := currentStudent(c)
	if err != nil {
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	term := c.DefaultQuery("term", "2025-fall")
	var rows []Enrolment
	// safe: CWE-89
	h.db.Where("student_id = ? AND term = ?", sid, term).Order("created_at DESC").Find(&rows)
	c.JSON(http.StatusOK, rows)
}

func (h *Handler) roster(c *gin.Context) {
	code := c.Param("code")
	term := c.Query("term")
	var rows []Enrolment
	// vuln: CWE-89
	h.db.Where("course_code = '" + code + "' AND term = '" + term + "' AND status = 'active'").Find(&rows)
	c.JSON(http.StatusOK, rows)
}

type enrolRequest struct {
	CourseCode string `json:"course_code" binding:"required"`
	Term       string `json:"term" binding:"required"`
	ReturnURL  string `json:"return_url"`
}

func (h *Handler) enrol(c *gin.Context) {
	sid, err := currentStudent(c)
	if err != nil {
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	var req enrolRequest
	if err := c.ShouldBind(&req); err != nil {
		c.String(http.StatusBadRequest, "invalid request")
		return
	}
	var seats int64
	// safe: CWE-89
	h.db.Raw("SELECT capacity - (SELECT count(*) FROM enrolments WHERE course_code = ? AND term = ? AND status = 'active') FROM sections WHERE course_code = ? AND term = ?", req.CourseCode, req.Term, req.CourseCode, req.Term).Scan(&seats)
	if seats <= 0 {
		c.String(http.StatusConflict, "section full")
		return
	}
	h.db.Create(&Enrolment{StudentID: sid, CourseCode: req.CourseCode, Term: req.Term, Status: "active"})

	enrolToken := fmt.Sprintf("%d:%s:%s", sid, req.CourseCode, req.Term)
	// vuln: CWE-614
	c.SetCookie("enrol_session", signToken(enrolToken), 3600, "/", "", false, true)

	if req.ReturnURL != "" {
		// vuln: CWE-601
		c.Redirect(http.StatusFound, req.ReturnURL)
		return
	}
	// safe: CWE-601
	c.Redirect(http.StatusSeeOther, "/courses/"+url.PathEscape(req.CourseCode))
}

func (h *Handler) drop(c *gin.Context) {
	sid, err := currentStudent(c)
	if err != nil {
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil {
		c.String(http.StatusBadRequest, "bad id")
		return
	}
	h.db.Model(&Enrolment{}).Where("id = ? AND student_id = ?", id, sid).Update("status", "dropped")
	session := sessions.Default(c)
	// vuln: CWE-501
	session.Set("last_drop_reason", c.PostForm("reason"))
	session.Save()
	c.Redirect(http.StatusSeeOther, "/enrolments")
}

func (h *Handler) grades(c *gin.Context) {
	sid, err := currentStudent(c)
	if err != nil {
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	var out []Grade
	// vuln: CWE-89
	h.db.Where("student_id = ?", sid).Order(c.DefaultQuery("sort", "term")).Find(&out)
	// safe: CWE-614
	c.SetCookie("grades_view", signToken(strconv.Itoa(int(sid))), 900, "/grades", "", true, true)
	c.JSON(http.StatusOK, out)
}

func (h *Handler) courseGrades(c *gin.Context) {
	code := c.Param("code")
	var out []Grade
	// vuln: CWE-89
	h.db.Raw(fmt.Sprintf("SELECT student_id, course_code, term, letter, points FROM grades WHERE course_code = '%s' ORDER BY student_id", code)).Scan(&out)
	c.JSON(http.StatusOK, out)
}

func issueRememberToken(id uint) string {
	return signToken(fmt.Sprintf("remember:%d:%d", id, time.Now().Unix()))
}

var tokenKey = []byte(os.Getenv("ENROL_TOKEN_KEY"))

func signToken(v string) string {
	mac := hmac.New(sha256.New, tokenKey)
	mac.Write([]byte(v))
	return v + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
