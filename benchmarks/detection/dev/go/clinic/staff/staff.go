// Package staff resolves drivers and dispatchers in Active Directory and the XML depot roster.
package staff

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/gin-gonic/gin"
	"github.com/go-ldap/ldap/v3"
)

const adBase = "OU=Drivers,DC=logistics,DC=example,DC=net"

type Handlers struct {
	LDAP   *ldap.Conn
	Roster *xmlquery.Node
}

var shifts = map[string]bool{"early": true, "late": true, "night": true}

func names(res *ldap.SearchResult) []string {
	var out []string
	for _, e := range res.Entries {
		out = append(out, e.GetAttributeValue("displayName"))
	}
	return out
}

func (h *Handlers) DriverByBadge(c *gin.Context) {
	badge := c.Param("badge")
	// vuln: CWE-90
	res, err := h.LDAP.Search(&ldap.SearchRequest{BaseDN: adBase, Scope: ldap.ScopeWholeSubtree, Filter: "(employeeID=" + badge + ")", Attributes: []string{"displayName"}})
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	c.JSON(http.StatusOK, names(res))
}

func (h *Handlers) DriversInCity(c *gin.Context) {
	city := c.Query("city")
	// vuln: CWE-90
	res, err := h.LDAP.Search(&ldap.SearchRequest{BaseDN: adBase, Scope: ldap.ScopeWholeSubtree, Filter: fmt.Sprintf("(&(objectClass=user)(l=%s))", city)})
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	c.JSON(http.StatusOK, len(res.Entries))
}

func (h *Handlers) IsDispatcher(c *gin.Context) {
	login := c.GetHeader("X-Remote-User")
	filter := "(&(sAMAccountName=" + login + ")(memberOf=CN=Dispatchers,OU=Groups,DC=logistics,DC=example,DC=net))"
	// vuln: CWE-90
	res, err := h.LDAP.Search(ldap.NewSearchRequest(adBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1, 5, false, filter, nil, nil))
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	c.JSON(http.StatusOK, gin.H{"dispatcher": len(res.Entries) == 1})
}

func (h *Handlers) DriverByBadgeSafe(c *gin.Context) {
	badge := ldap.EscapeFilter(c.Param("badge"))
	// safe: CWE-90
	res, err := h.LDAP.Search(&ldap.SearchRequest{BaseDN: adBase, Scope: ldap.ScopeWholeSubtree, Filter: "(employeeID=" + badge + ")", Attributes: []string{"displayName"}})
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	c.JSON(http.StatusOK, names(res))
}

func (h *Handlers) DriversByNumber(c *gin.Context) {
	number, err := strconv.Atoi(c.Param("number"))
	if err != nil {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	// safe: CWE-90
	res, err := h.LDAP.Search(&ldap.SearchRequest{BaseDN: adBase, Scope: ldap.ScopeWholeSubtree, Filter: fmt.Sprintf("(employeeNumber=%d)", number), Attributes: []string{"displayName"}})
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	c.JSON(http.StatusOK, names(res))
}

func (h *Handlers) DisabledDrivers(c *gin.Context) {
	// safe: CWE-90
	res, err := h.LDAP.Search(&ldap.SearchRequest{BaseDN: adBase, Scope: ldap.ScopeWholeSubtree, Filter: "(&(objectClass=user)(userAccountControl:1.2.840.113556.1.4.803:=2))", Attributes: []string{"displayName"}})
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	c.JSON(http.StatusOK, names(res))
}

func (h *Handlers) DepotDrivers(c *gin.Context) {
	depot := c.Query("depot")
	// vuln: CWE-643
	nodes := xmlquery.Find(h.Roster, fmt.Sprintf(`//depot[@code="%s"]/driver`, depot))
	c.JSON(http.StatusOK, len(nodes))
}

func (h *Handlers) VehicleDriver(c *gin.Context) {
	plate := c.Param("plate")
	expr := "//vehicle[plate='" + plate + "']/assigned-driver"
	// vuln: CWE-643
	node, err := xmlquery.Query(h.Roster, expr)
	if err != nil || node == nil {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	c.JSON(http.StatusOK, node.InnerText())
}

func (h *Handlers) DriverBySurname(c *gin.Context) {
	surname := c.PostForm("surname")
	// vuln: CWE-643
	for _, n := range xmlquery.Find(h.Roster, "//driver[surname='"+surname+"']") {
		c.String(http.StatusOK, "%s\n", n.SelectAttr("id"))
	}
}

func (h *Handlers) ShiftDrivers(c *gin.Context) {
	shift := c.Param("shift")
	if !shifts[shift] {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	// safe: CWE-643
	nodes := xmlquery.Find(h.Roster, "//shift[@name='"+shift+"']/driver")
	c.JSON(http.StatusOK, len(nodes))
}

func (h *Handlers) BayVehicles(c *gin.Context) {
	bay, err := strconv.Atoi(c.Param("bay"))
	if err != nil {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	// safe: CWE-643
	nodes := xmlquery.Find(h.Roster, fmt.Sprintf("//vehicle[@bay=%d]", bay))
	c.JSON(http.StatusOK, len(nodes))
}

func (h *Handlers) DriverBySurnameSafe(c *gin.Context) {
	surname := c.PostForm("surname")
	var ids []string
	// safe: CWE-643
	for _, n := range xmlquery.Find(h.Roster, "//driver") {
		if strings.EqualFold(n.SelectElement("surname").InnerText(), surname) {
			ids = append(ids, n.SelectAttr("id"))
		}
	}
	c.JSON(http.StatusOK, ids)
}
