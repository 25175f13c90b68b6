// Package portal is the landlord portal: SSO sign-in through partner
// identity providers, partner webhooks, and session handling.
package portal

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
)

type Partner struct {
	Slug      string
	Issuer    string
	ClientID  string
	WebhookTo string
}

type Portal struct {
	Partners   map[string]Partner // loaded from the partners table at start-up
	HTTP       *http.Client
	PublicHost string
	Landlords  LandlordRepo
}

type LandlordRepo interface {
	FindBySubject(issuer, subject string) (id int64, role string, err error)
	WebhookURL(landlordID int64) (string, error)
}

func (p *Portal) Register(r *gin.Engine) {
	sso := r.Group("/portal/sso")
	sso.GET("/start", p.StartSSO)
	sso.GET("/start/:partner", p.StartPartnerSSO)
	sso.GET("/callback", p.Callback)
	sso.GET("/discover", p.Discover)
	sso.GET("/discover/:partner", p.DiscoverPartner)

	hooks := r.Group("/portal/webhooks")
	hooks.POST("/test", p.TestWebhook)
	hooks.POST("/test/registered", p.TestRegisteredWebhook)
	hooks.POST("/relay", p.RelayEvent)
	hooks.POST("/relay/v2", p.RelayEventChecked)

	r.POST("/portal/impersonate", p.Impersonate)
	r.POST("/portal/switch-property", p.SwitchProperty)
	r.POST("/portal/preferences", p.Preferences)
	r.GET("/portal/logout", p.Logout)
	r.GET("/portal/leave", p.Leave)
}

func newState() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ---- SSO ----

func (p *Portal) StartSSO(c *gin.Context) {
	state := newState()
	// vuln: CWE-1004
	c.SetCookie("sso_state", state, 600, "/portal/sso", "", true, false)
	idp := c.Query("idp")
	authURL := idp + "/authorize?response_type=code&client_id=rentals-portal&state=" + url.QueryEscape(state) +
		"&redirect_uri=" + url.QueryEscape(p.PublicHost+"/portal/sso/callback")
	// vuln: CWE-601
	c.Redirect(http.StatusFound, authURL)
}

func (p *Portal) StartPartnerSSO(c *gin.Context) {
	partner, ok := p.Partners[c.Param("partner")]
	if !ok {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	state := newState()
	// safe: CWE-1004
	c.SetCookie("sso_state", state, 600, "/portal/sso", "", true, true)
	q := url.Values{}
	q.Set("response_type", "code")
	q.Set("client_id", partner.ClientID)
	q.Set("state", state)
	q.Set("redirect_uri", p.PublicHost+"/portal/sso/callback")
	// safe: CWE-601
	c.Redirect(http.StatusFound, partner.Issuer+"/authorize?"+q.Encode())
}

type idToken struct {
	Issuer  string `json:"iss"`
	Subject string `json:"sub"`
	Email   string `json:"email"`
}

func (p *Portal) Callback(c *gin.Context) {
	expected, err := c.Cookie("sso_state")
	if err != nil || expected != c.Query("state") {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	tok, err := p.exchangeCode(c.Query("code"))
	if err != nil {
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	landlordID, role, err := p.Landlords.FindBySubject(tok.Issuer, tok.Subject)
	if err != nil {
		c.AbortWithStatus(http.StatusForbidden)
		return
	}
	session := sessions.Default(c)
	// safe: CWE-501
	session.Set("landlord_id", landlordID)
	// safe: CWE-501
	session.Set("role", role)
	session.Save()
	// safe: CWE-614
	c.SetCookie("portal_sid", newState(), 8*3600, "/portal", "", true, true)
	c.Redirect(http.StatusFound, "/portal/dashboard")
}

func (p *Portal) exchangeCode(code string) (*idToken, error) {
	// token exchange against the configured IdP; omitted
	return &idToken{}, nil
}

// Discover fetches the OpenID configuration of the IdP a new partner
// enters during self-service onboarding.
func (p *Portal) Discover(c *gin.Context) {
	issuer := strings.TrimRight(c.Query("issuer"), "/")
	// vuln: CWE-918
	resp, err := p.HTTP.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var cfg map[string]any
	json.NewDecoder(resp.Body).Decode(&cfg)
	c.JSON(http.StatusOK, cfg)
}

func (p *Portal) DiscoverPartner(c *gin.Context) {
	partner, ok := p.Partners[c.Param("partner")]
	if !ok {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	// safe: CWE-918
	resp, err := p.HTTP.Get(partner.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var cfg map[string]any
	json.NewDecoder(resp.Body).Decode(&cfg)
	c.JSON(http.StatusOK, cfg)
}

// ---- webhooks ----

type webhookTest struct {
	URL   string `json:"url" binding:"required"`
	Event string `json:"event"`
}

// TestWebhook sends a sample event to the URL the landlord is about to save.
func (p *Portal) TestWebhook(c *gin.Context) {
	var req webhookTest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	payload, _ := json.Marshal(gin.H{"event": req.Event, "test": true, "sent_at": time.Now().UTC()})
	// vuln: CWE-918
	resp, err := p.HTTP.Post(req.URL, "application/json", bytes.NewReader(payload))
	if err != nil {
		c.JSON(http.StatusOK, gin.H{"delivered": false, "error": err.Error()})
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	c.JSON(http.StatusOK, gin.H{"delivered": true, "status": resp.StatusCode, "body": string(body)})
}

// publicHTTPS reports whether raw is an https URL whose host resolves only
// to public addresses.
func publicHTTPS(raw string) (*url.URL, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil {
		return nil, false
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil || len(ips) == 0 {
		return nil, false
	}
	for _, ip := range ips {
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
			return nil, false
		}
	}
	return u, true
}

type relayEvent struct {
	Target  string          `json:"target"`
	Payload json.RawMessage `json:"payload"`
}

// RelayEvent forwards a syndication event to the listing site named in it.
func (p *Portal) RelayEvent(c *gin.Context) {
	var ev relayEvent
	if err := c.BindJSON(&ev); err != nil {
		return
	}
	// vuln: CWE-918
	resp, err := http.Post("https://"+ev.Target+"/syndication/events", "application/json", bytes.NewReader(ev.Payload))
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	c.Status(http.StatusAccepted)
}

var syndicationTargets = map[string]string{
	"zillow":     "https://syndication.zillow.example.com/events",
	"apartments": "https://feeds.apartments.example.com/v2/events",
	"craigslist": "https://housing.craigslist.example.org/api/events",
}

func (p *Portal) RelayEventChecked(c *gin.Context) {
	var ev relayEvent
	if err := c.BindJSON(&ev); err != nil {
		return
	}
	endpoint, ok := syndicationTargets[ev.Target]
	if !ok {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	// safe: CWE-918
	resp, err := http.Post(endpoint, "application/json", bytes.NewReader(ev.Payload))
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	c.Status(http.StatusAccepted)
}

// TestRegisteredWebhook sends a ping to the webhook URL before it is saved.
func (p *Portal) TestRegisteredWebhook(c *gin.Context) {
	var req webhookTest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	target, ok := publicHTTPS(req.URL)
	if !ok {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	payload, _ := json.Marshal(gin.H{"event": "ping", "test": true})
	// safe: CWE-918
	resp, err := p.HTTP.Post(target.String(), "application/json", bytes.NewReader(payload))
	if err != nil {
		c.JSON(http.StatusOK, gin.H{"delivered": false})
		return
	}
	resp.Body.Close()
	c.JSON(http.StatusOK, gin.H{"delivered": true, "status": resp.StatusCode})
}

// ---- session state ----

type switchPropertyForm struct {
	PropertyID string `form:"property_id"`
	Role       string `form:"role"`
}

// Impersonate is used by support staff to see the portal as a landlord.
func (p *Portal) Impersonate(c *gin.Context) {
	session := sessions.Default(c)
	// vuln: CWE-501
	session.Set("landlord_id", c.PostForm("landlord_id"))
	session.Set("impersonating", true)
	session.Save()
	// vuln: CWE-1004
	c.SetCookie("support_impersonation", newState(), 3600, "/portal", "", true, false)
	c.Redirect(http.StatusSeeOther, "/portal/dashboard")
}

func (p *Portal) SwitchProperty(c *gin.Context) {
	var f switchPropertyForm
	if err := c.ShouldBind(&f); err != nil {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	session := sessions.Default(c)
	// vuln: CWE-501
	session.Set("active_property", f.PropertyID)
	// vuln: CWE-501
	session.Set("role", f.Role)
	session.Save()
	c.Status(http.StatusNoContent)
}

var themes = map[string]bool{"light": true, "dark": true, "high-contrast": true}

func (p *Portal) Preferences(c *gin.Context) {
	theme := c.PostForm("theme")
	session := sessions.Default(c)
	if themes[theme] {
		// safe: CWE-501
		session.Set("theme", theme)
	}
	session.Save()
	remember := c.PostForm("remember_device") == "on"
	if remember {
		// vuln: CWE-614
		c.SetCookie("portal_device", newState(), 90*24*3600, "/portal", "", false, true)
	}
	c.Status(http.StatusNoContent)
}

func (p *Portal) Logout(c *gin.Context) {
	session := sessions.Default(c)
	session.Clear()
	session.Save()
	// safe: CWE-614
	c.SetCookie("portal_sid", "", -1, "/portal", "", true, true)
	http.SetCookie(c.Writer, &http.Cookie{Name: "portal_device", Value: "", Path: "/portal", MaxAge: -1, Secure: true, HttpOnly: true})
	next := c.Query("next")
	if u, err := url.Parse(next); err != nil || next == "" || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/portal/login"
	}
	// safe: CWE-601
	c.Redirect(http.StatusFound, next)
}

// Leave sends the landlord back to the partner site they came from.
func (p *Portal) Leave(c *gin.Context) {
	back, err := c.Cookie("partner_return")
	if err != nil {
		back = "/portal"
	}
	// vuln: CWE-601
	c.Redirect(http.StatusFound, back)
}

// rememberLogin is set after a successful password sign-in on the
// legacy login page.
func rememberLogin(c *gin.Context, token string) {
	cookie := &http.Cookie{
		Name:    "portal_remember",
		Value:   token,
		Path:    "/portal",
		Expires: time.Now().Add(30 * 24 * time.Hour),
		Secure:  true,
	}
	// vuln: CWE-1004
	http.SetCookie(c.Writer, cookie)
}

func rememberLoginV2(c *gin.Context, token string) {
	c.SetSameSite(http.SameSiteLaxMode)
	// safe: CWE-1004
	c.SetCookie("portal_remember", token, 30*24*3600, "/portal", "", true, true)
}
