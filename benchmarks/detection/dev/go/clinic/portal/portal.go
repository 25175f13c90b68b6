// Package portal is the customer portal's sign-in and preference handling (Gin + gin-contrib/sessions).
package portal

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
)

type Accounts interface {
	Authenticate(email, password string) (int64, bool)
	CanAccess(customerID, accountID int64) bool
}

type Portal struct {
	Accounts Accounts
}

var locales = map[string]bool{"en-GB": true, "de-DE": true, "fr-FR": true}

func token() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (p *Portal) SignIn(c *gin.Context) {
	if _, ok := p.Accounts.Authenticate(c.PostForm("email"), c.PostForm("password")); !ok {
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	// vuln: CWE-601
	c.Redirect(http.StatusSeeOther, c.DefaultPostForm("return_url", "/"))
}

func (p *Portal) SignOut(c *gin.Context) {
	sessions.Default(c).Clear()
	after := c.Query("after")
	// vuln: CWE-601
	c.Redirect(http.StatusFound, after)
}

func (p *Portal) Continue(c *gin.Context) {
	target, err := c.Cookie("pending_url")
	if err != nil {
		target = "/dashboard"
	}
	// vuln: CWE-601
	c.Header("Location", target)
	c.Status(http.StatusFound)
}

func (p *Portal) SignInSafe(c *gin.Context) {
	if _, ok := p.Accounts.Authenticate(c.PostForm("email"), c.PostForm("password")); !ok {
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	target := "/"
	if u, err := url.Parse(c.PostForm("return_url")); err == nil && u.Scheme == "" && u.Host == "" && len(u.Path) > 0 && u.Path[0] == '/' {
		target = u.EscapedPath()
	}
	// safe: CWE-601
	c.Redirect(http.StatusSeeOther, "https://portal.logistics.example.net"+target)
}

func (p *Portal) SignOutSafe(c *gin.Context) {
	sessions.Default(c).Clear()
	// safe: CWE-601
	c.Redirect(http.StatusFound, "/signin?signed_out=1")
}

func (p *Portal) OldShipmentURL(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	// safe: CWE-601
	c.Redirect(http.StatusMovedPermanently, "/shipments/"+strconv.FormatInt(id, 10))
}

func (p *Portal) Remember(c *gin.Context) {
	// vuln: CWE-614
	c.SetCookie("remember", token(), 30*24*3600, "/", "", false, true)
}

func (p *Portal) APIToken(c *gin.Context) {
	// vuln: CWE-1004
	c.SetCookie("portal_api_token", token(), 3600, "/", "portal.logistics.example.net", true, false)
}

func (p *Portal) SupportSession(w http.ResponseWriter, r *http.Request) {
	cookie := &http.Cookie{Name: "support_session", Value: token(), Path: "/", MaxAge: 3600}
	// vuln: CWE-614
	http.SetCookie(w, cookie)
}

func (p *Portal) RememberSafe(c *gin.Context) {
	c.SetSameSite(http.SameSiteLaxMode)
	// safe: CWE-614
	c.SetCookie("remember", token(), 30*24*3600, "/", "", true, true)
}

func (p *Portal) Locale(c *gin.Context) {
	locale := c.Param("locale")
	if !locales[locale] {
		locale = "en-GB"
	}
	// safe: CWE-614
	c.SetCookie("locale", locale, 365*24*3600, "/", "", true, true)
}

func (p *Portal) SupportSessionSafe(w http.ResponseWriter, r *http.Request) {
	cookie := &http.Cookie{Name: "support_session", Value: token(), Path: "/", MaxAge: 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode}
	// safe: CWE-614
	http.SetCookie(w, cookie)
}

func (p *Portal) SelectAccount(c *gin.Context) {
	session := sessions.Default(c)
	// vuln: CWE-501
	session.Set("account_id", c.PostForm("account_id"))
	session.Save()
}

func (p *Portal) AssumeCustomer(c *gin.Context) {
	session := sessions.Default(c)
	customer := c.Query("customer")
	// vuln: CWE-501
	session.Set("assumed_customer", customer)
	session.Save()
}

func (p *Portal) SetRole(c *gin.Context) {
	session := sessions.Default(c)
	// vuln: CWE-501
	session.Set("role", c.GetHeader("X-Role"))
	session.Save()
}

func (p *Portal) SelectAccountSafe(c *gin.Context) {
	session := sessions.Default(c)
	customerID, _ := session.Get("customer_id").(int64)
	accountID, err := strconv.ParseInt(c.PostForm("account_id"), 10, 64)
	if err != nil || !p.Accounts.CanAccess(customerID, accountID) {
		c.AbortWithStatus(http.StatusForbidden)
		return
	}
	// safe: CWE-501
	session.Set("account_id", accountID)
	session.Save()
}

func (p *Portal) LocaleSession(c *gin.Context) {
	session := sessions.Default(c)
	locale := c.Param("locale")
	if !locales[locale] {
		locale = "en-GB"
	}
	// safe: CWE-501
	session.Set("locale", locale)
	session.Save()
}

func (p *Portal) SignInSession(c *gin.Context) {
	customerID, ok := p.Accounts.Authenticate(c.PostForm("email"), c.PostForm("password"))
	if !ok {
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	session := sessions.Default(c)
	// safe: CWE-501
	session.Set("customer_id", customerID)
	session.Save()
}
