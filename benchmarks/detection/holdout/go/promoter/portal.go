// Package promoter implements the promoter portal: event set-up, artwork
// uploads, guest lists and payout settings.
package promoter

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"
)

type Portal struct {
	DB          *sql.DB
	UploadDir   string
	HTTP        *http.Client
	PayoutsBase string
}

type Promoter struct {
	ID           int64
	Handle       string
	DisplayName  string
	Role         string
	PasswordHash []byte
}

func (p *Portal) Register(r *gin.Engine) {
	g := r.Group("/promoter")
	g.POST("/login", p.Login)
	g.POST("/switch-org", p.SwitchOrganisation)
	g.POST("/preferences", p.SavePreferences)
	g.POST("/impersonate", p.Impersonate)
	g.POST("/wizard/step", p.WizardStep)
	g.POST("/acting-as", p.ActingAs)
	g.POST("/events/:id/artwork", p.UploadArtwork)
	g.POST("/events/:id/press-kit", p.UploadPressKit)
	g.GET("/events/:id/artwork", p.Artwork)
	g.GET("/events/:id/press-kit", p.PressKit)
	g.GET("/events/:id/guest-list", p.GuestList)
	g.GET("/events/:id/guest-list/print", p.PrintGuestList)
	g.GET("/events/:id/welcome", p.Welcome)
	g.GET("/events/:id/preview", p.Preview)
	g.GET("/events/:id/notes", p.Notes)
	g.GET("/events/:id/header", p.Header)
	g.POST("/payouts/webhook-test", p.TestPayoutWebhook)
	g.POST("/payouts/verify-account", p.VerifyBankAccount)
	g.POST("/events/:id/import-lineup", p.ImportLineup)
	g.GET("/payouts/:payoutID/status", p.PayoutStatus)
}

func (p *Portal) loadPromoter(ctx context.Context, handle string) (*Promoter, error) {
	var pr Promoter
	err := p.DB.QueryRowContext(ctx, "SELECT id, handle, display_name, role, password_hash FROM promoters WHERE handle = $1", handle).
		Scan(&pr.ID, &pr.Handle, &pr.DisplayName, &pr.Role, &pr.PasswordHash)
	if err != nil {
		return nil, err
	}
	return &pr, nil
}

// Login authenticates a promoter and stores their identity in the session.
func (p *Portal) Login(c *gin.Context) {
	handle := c.PostForm("handle")
	password := c.PostForm("password")
	pr, err := p.loadPromoter(c.Request.Context(), handle)
	if err != nil || bcrypt.CompareHashAndPassword(pr.PasswordHash, []byte(password)) != nil {
		c.JSON(http.StatusUnauthorized, gin.H{"error": "invalid credentials"})
		return
	}
	session := sessions.Default(c)
	session.Clear()
	// safe: CWE-501
	session.Set("promoter_id", pr.ID)
	session.Set("role", pr.Role)
	_ = session.Save()
	c.JSON(http.StatusOK, gin.H{"promoter": pr.DisplayName})
}

// SwitchOrganisation changes the organisation the promoter is working for.
func (p *Portal) SwitchOrganisation(c *gin.Context) {
	session := sessions.Default(c)
	orgID := c.PostForm("org_id")
	// vuln: CWE-501
	session.Set("org_id", orgID)
	_ = session.Save()
	c.Status(http.StatusNoContent)
}

type preferences struct {
	Currency  string `json:"currency"`
	Timezone  string `json:"timezone"`
	PayoutTier string `json:"payout_tier"`
}

// SavePreferences stores display preferences for the current session.
func (p *Portal) SavePreferences(c *gin.Context) {
	var prefs preferences
	if err := c.ShouldBindJSON(&prefs); err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	session := sessions.Default(c)
	session.Set("currency", prefs.Currency)
	// vuln: CWE-501
	session.Set("payout_tier", prefs.PayoutTier)
	_ = session.Save()
	c.Status(http.StatusNoContent)
}

// Impersonate lets support staff view the portal as another promoter.
func (p *Portal) Impersonate(c *gin.Context) {
	session := sessions.Default(c)
	target := c.GetHeader("X-Impersonate-Handle")
	if target == "" {
		c.Status(http.StatusBadRequest)
		return
	}
	// vuln: CWE-501
	session.Set("impersonating", target)
	_ = session.Save()
	c.Status(http.StatusNoContent)
}

var wizardSteps = map[string]string{
	"basics":  "basics",
	"venue":   "venue",
	"tickets": "tickets",
	"payouts": "payouts",
	"review":  "review",
}

// WizardStep remembers where the promoter is in the event set-up wizard.
func (p *Portal) WizardStep(c *gin.Context) {
	step, ok := wizardSteps[c.PostForm("step")]
	if !ok {
		step = "basics"
	}
	session := sessions.Default(c)
	// safe: CWE-501
	session.Set("wizard_step", step)
	_ = session.Save()
	c.Status(http.StatusNoContent)
}

// ActingAs selects one of the organisations the signed-in promoter belongs to.
func (p *Portal) ActingAs(c *gin.Context) {
	session := sessions.Default(c)
	promoterID, _ := session.Get("promoter_id").(int64)
	requested, err := strconv.ParseInt(c.PostForm("org_id"), 10, 64)
	if err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	var orgID int64
	err = p.DB.QueryRowContext(c.Request.Context(), "SELECT org_id FROM org_members WHERE promoter_id = $1 AND org_id = $2", promoterID, requested).Scan(&orgID)
	if err != nil {
		c.Status(http.StatusForbidden)
		return
	}
	// safe: CWE-501
	session.Set("acting_org_id", orgID)
	_ = session.Save()
	c.Status(http.StatusNoContent)
}

func (p *Portal) eventDir(c *gin.Context) (string, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return "", false
	}
	return filepath.Join(p.UploadDir, "events", strconv.FormatInt(id, 10)), true
}

// UploadArtwork stores poster artwork for an event.
func (p *Portal) UploadArtwork(c *gin.Context) {
	dir, ok := p.eventDir(c)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	file, err := c.FormFile("artwork")
	if err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	_ = os.MkdirAll(dir, 0o750)
	// vuln: CWE-22
	if err := c.SaveUploadedFile(file, filepath.Join(dir, file.Filename)); err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"name": file.Filename})
}

// UploadPressKit stores the press kit for an event.
func (p *Portal) UploadPressKit(c *gin.Context) {
	dir, ok := p.eventDir(c)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	file, err := c.FormFile("press_kit")
	if err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	ext := strings.ToLower(filepath.Ext(file.Filename))
	if ext != ".pdf" && ext != ".zip" {
		c.Status(http.StatusUnsupportedMediaType)
		return
	}
	stored := uuid.NewString() + ext
	_ = os.MkdirAll(dir, 0o750)
	// safe: CWE-22
	if err := c.SaveUploadedFile(file, filepath.Join(dir, stored)); err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	_, _ = p.DB.ExecContext(c.Request.Context(), "UPDATE events SET press_kit = $1, press_kit_name = $2 WHERE id = $3", stored, file.Filename, c.Param("id"))
	c.JSON(http.StatusCreated, gin.H{"stored": stored})
}

// Artwork serves an uploaded artwork file back to the promoter.
func (p *Portal) Artwork(c *gin.Context) {
	dir, ok := p.eventDir(c)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	name := c.Query("file")
	// vuln: CWE-22
	c.File(dir + "/" + name)
}

// PressKit serves the press kit of an event.
func (p *Portal) PressKit(c *gin.Context) {
	dir, ok := p.eventDir(c)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	var stored, original string
	if err := p.DB.QueryRowContext(c.Request.Context(), "SELECT press_kit, press_kit_name FROM events WHERE id = $1", c.Param("id")).Scan(&stored, &original); err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	// safe: CWE-22
	c.FileAttachment(filepath.Join(dir, filepath.Base(stored)), original)
}

type Guest struct {
	Name   string
	Plus   int
	Note   string
	Status string
}

func (p *Portal) guests(ctx context.Context, eventID string) ([]Guest, error) {
	rows, err := p.DB.QueryContext(ctx, "SELECT name, plus_ones, note, status FROM guest_list WHERE event_id = $1 ORDER BY name", eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Guest
	for rows.Next() {
		var g Guest
		if err := rows.Scan(&g.Name, &g.Plus, &g.Note, &g.Status); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

var guestListTmpl = template.Must(template.New("guests").Parse(`<table class="guests">
{{range .}}<tr><td>{{.Name}}</td><td>+{{.Plus}}</td><td>{{.Note}}</td><td>{{.Status}}</td></tr>
{{end}}</table>`))

// GuestList renders the guest list table on the promoter dashboard.
func (p *Portal) GuestList(c *gin.Context) {
	list, err := p.guests(c.Request.Context(), c.Param("id"))
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	// safe: CWE-79
	_ = guestListTmpl.Execute(c.Writer, list)
}

// PrintGuestList renders a print-friendly guest list for the door staff.
func (p *Portal) PrintGuestList(c *gin.Context) {
	list, err := p.guests(c.Request.Context(), c.Param("id"))
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	title := c.DefaultQuery("title", "Guest list")
	var buf bytes.Buffer
	buf.WriteString("<html><body><h2>" + title + "</h2><ul>")
	for _, g := range list {
		fmt.Fprintf(&buf, "<li>%s (+%d) %s</li>", template.HTMLEscapeString(g.Name), g.Plus, template.HTMLEscapeString(g.Note))
	}
	buf.WriteString("</ul></body></html>")
	// vuln: CWE-79
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

// Welcome greets the promoter by the name passed from the onboarding e-mail link.
func (p *Portal) Welcome(c *gin.Context) {
	name := c.Query("name")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	// vuln: CWE-79
	io.WriteString(c.Writer, fmt.Sprintf("<h1>Welcome aboard, %s!</h1><p>Let's set up your first event.</p>", name))
}

// Preview renders the public event page with the promoter's unsaved description.
func (p *Portal) Preview(c *gin.Context) {
	description := c.Query("description")
	c.Header("Content-Type", "text/html; charset=utf-8")
	// vuln: CWE-79
	c.String(http.StatusOK, "<article class=\"preview\">"+description+"</article>")
}

// Notes shows the internal notes of an event.
func (p *Portal) Notes(c *gin.Context) {
	var notes string
	_ = p.DB.QueryRowContext(c.Request.Context(), "SELECT internal_notes FROM events WHERE id = $1", c.Param("id")).Scan(&notes)
	// safe: CWE-79
	c.HTML(http.StatusOK, "notes.tmpl", gin.H{"Notes": notes, "Highlight": c.Query("highlight")})
}

// Header echoes the event title in the portal's header bar.
func (p *Portal) Header(c *gin.Context) {
	title := c.Query("title")
	c.Header("Content-Type", "text/html; charset=utf-8")
	// safe: CWE-79
	c.String(http.StatusOK, "<header><span class=\"title\">%s</span></header>", template.HTMLEscapeString(title))
}

type webhookTest struct {
	URL string `json:"url"`
}

// TestPayoutWebhook sends a sample payout notification to the promoter's endpoint.
func (p *Portal) TestPayoutWebhook(c *gin.Context) {
	var req webhookTest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	payload, _ := json.Marshal(map[string]interface{}{"type": "payout.test", "sent_at": time.Now().UTC()})
	// vuln: CWE-918
	resp, err := p.HTTP.Post(req.URL, "application/json", bytes.NewReader(payload))
	if err != nil {
		c.JSON(http.StatusBadGateway, gin.H{"error": err.Error()})
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	c.JSON(http.StatusOK, gin.H{"status": resp.StatusCode, "body": string(body)})
}

// VerifyBankAccount asks the payout provider to validate an IBAN.
func (p *Portal) VerifyBankAccount(c *gin.Context) {
	iban := strings.ReplaceAll(c.PostForm("iban"), " ", "")
	// safe: CWE-918
	req, _ := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, "https://api.payouts.example-psp.com/v2/iban/"+url.PathEscape(iban)+"/validate", nil)
	resp, err := p.HTTP.Do(req)
	if err != nil {
		c.Status(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	c.DataFromReader(resp.StatusCode, resp.ContentLength, "application/json", resp.Body, nil)
}

// ImportLineup pulls the artist line-up from a URL the promoter pastes in.
func (p *Portal) ImportLineup(c *gin.Context) {
	src := c.PostForm("lineup_url")
	if src == "" {
		c.Status(http.StatusBadRequest)
		return
	}
	// vuln: CWE-918
	req, err := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, src, nil)
	if err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	resp, err := p.HTTP.Do(req)
	if err != nil {
		c.Status(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var lineup []string
	if err := json.NewDecoder(resp.Body).Decode(&lineup); err != nil {
		c.Status(http.StatusUnprocessableEntity)
		return
	}
	c.JSON(http.StatusOK, gin.H{"artists": lineup})
}

// PayoutStatus proxies the payout status from the payments service.
func (p *Portal) PayoutStatus(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("payoutID"), 10, 64)
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	// safe: CWE-918
	resp, err := p.HTTP.Get(fmt.Sprintf("%s/internal/payouts/%d", p.PayoutsBase, id))
	if err != nil {
		c.Status(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.Status(resp.StatusCode)
		return
	}
	c.DataFromReader(http.StatusOK, resp.ContentLength, "application/json", resp.Body, nil)
}
