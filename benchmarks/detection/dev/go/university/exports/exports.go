// Package exports imports the course catalogue and grade rosters that the
// faculties exchange as XML, and writes CSV exports for the registrar.
package exports

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
	"github.com/gin-gonic/gin"
	"gopkg.in/xmlpath.v2"
)

const (
	exportDir   = "/srv/sis/exports"
	catalogFile = "/srv/sis/feeds/catalogue.xml"
	rosterFile  = "/srv/sis/feeds/rosters.xml"
)

var (
	courseCode = regexp.MustCompile(`^[A-Z]{2,4}[0-9]{3}[A-Z]?$`)
	exportName = regexp.MustCompile(`^[a-z0-9_-]{1,64}\.csv$`)
	activeExpr = xpath.MustCompile("//course[@status='active']")
	reportTmpl = texttemplate.Must(texttemplate.New("report").Parse(`<html><body><h1>Roster report: {{.Course}}</h1>
<p>Prepared for {{.PreparedFor}}</p><table>{{range .Rows}}<tr><td>{{.}}</td></tr>{{end}}</table></body></html>`))
)

func Register(r *gin.Engine) {
	g := r.Group("/registrar")
	g.GET("/catalogue/course", courseFromFeed)
	g.GET("/catalogue/course/strict", courseFromFeedStrict)
	g.GET("/catalogue/active", activeCourses)
	g.GET("/rosters/:studentID/grade", gradeFromRoster)
	g.GET("/rosters/student/:studentID", rosterByNumber)
	g.POST("/rosters/term", enrolmentsForTerm)
	g.GET("/rosters/transcript", transcriptGrade)
	g.GET("/rosters/report", rosterReport)
	g.POST("/imports/catalogue", importCatalogue)
	g.POST("/imports/catalogue/partner", importPartnerCatalogue)
	g.POST("/exports/grades", exportGrades)
	g.GET("/exports/download", downloadExport)
	g.GET("/exports/download/checked", downloadExportChecked)
}

func loadFeed(path string) (*xmlquery.Node, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return xmlquery.Parse(f)
}

func courseFromFeed(c *gin.Context) {
	doc, err := loadFeed(catalogFile)
	if err != nil {
		c.Status(http.StatusServiceUnavailable)
		return
	}
	// vuln: CWE-643
	nodes := xmlquery.Find(doc, "//course[@code='"+c.Query("code")+"']")
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, n.SelectAttr("title"))
	}
	c.JSON(http.StatusOK, out)
}

func courseFromFeedStrict(c *gin.Context) {
	code := strings.ToUpper(c.Query("code"))
	if !courseCode.MatchString(code) {
		c.String(http.StatusBadRequest, "invalid course code")
		return
	}
	doc, err := loadFeed(catalogFile)
	if err != nil {
		c.Status(http.StatusServiceUnavailable)
		return
	}
	// safe: CWE-643
	node := xmlquery.FindOne(doc, "//course[@code='"+code+"']")
	if node == nil {
		c.Status(http.StatusNotFound)
		return
	}
	c.JSON(http.StatusOK, gin.H{"title": node.SelectAttr("title"), "credits": node.SelectAttr("credits")})
}

func activeCourses(c *gin.Context) {
	doc, err := loadFeed(catalogFile)
	if err != nil {
		c.Status(http.StatusServiceUnavailable)
		return
	}
	// safe: CWE-643
	nodes := xmlquery.QuerySelectorAll(doc, activeExpr)
	c.JSON(http.StatusOK, gin.H{"count": len(nodes)})
}

func gradeFromRoster(c *gin.Context) {
	doc, err := loadFeed(rosterFile)
	if err != nil {
		c.Status(http.StatusServiceUnavailable)
		return
	}
	// vuln: CWE-643
	node := xmlquery.FindOne(doc, fmt.Sprintf("//student[@id='%s']/grade[@term='%s']", c.Param("studentID"), c.Query("term")))
	if node == nil {
		c.Status(http.StatusNotFound)
		return
	}
	c.JSON(http.StatusOK, gin.H{"grade": node.InnerText()})
}

func rosterByNumber(c *gin.Context) {
	sid, err := strconv.Atoi(c.Param("studentID"))
	if err != nil {
		c.String(http.StatusBadRequest, "invalid student number")
		return
	}
	doc, err := loadFeed(rosterFile)
	if err != nil {
		c.Status(http.StatusServiceUnavailable)
		return
	}
	// safe: CWE-643
	nodes, err := xmlquery.QueryAll(doc, fmt.Sprintf("//student[@id='%d']/grade", sid))
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusOK, gin.H{"grades": len(nodes)})
}

func enrolmentsForTerm(c *gin.Context) {
	term := c.PostForm("term")
	// vuln: CWE-643
	expr, err := xpath.Compile("count(//student/enrolment[@term='" + term + "'])")
	if err != nil {
		c.String(http.StatusBadRequest, "invalid term")
		return
	}
	doc, err := loadFeed(rosterFile)
	if err != nil {
		c.Status(http.StatusServiceUnavailable)
		return
	}
	total := expr.Evaluate(xmlquery.CreateXPathNavigator(doc))
	c.JSON(http.StatusOK, gin.H{"term": term, "enrolments": total})
}

func transcriptGrade(c *gin.Context) {
	f, err := os.Open(rosterFile)
	if err != nil {
		c.Status(http.StatusServiceUnavailable)
		return
	}
	defer f.Close()
	root, err := xmlpath.Parse(f)
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	course := c.Query("course")
	if c.Query("mode") == "published" {
		// safe: CWE-643
		path := xmlpath.MustCompile("/rosters/published/@updated")
		updated, _ := path.String(root)
		c.JSON(http.StatusOK, gin.H{"updated": updated})
		return
	}
	// vuln: CWE-643
	path, err := xmlpath.Compile("/rosters/student[@id='" + c.Query("student") + "']/record[course='" + course + "']/grade")
	if err != nil {
		c.String(http.StatusBadRequest, "invalid query")
		return
	}
	grade, ok := path.String(root)
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	c.JSON(http.StatusOK, gin.H{"grade": grade})
}

func rosterReport(c *gin.Context) {
	course := c.Query("course")
	doc, err := loadFeed(rosterFile)
	if err != nil {
		c.Status(http.StatusServiceUnavailable)
		return
	}
	var rows []string
	for _, n := range xmlquery.Find(doc, "//student/record/course") {
		if n.InnerText() == course {
			rows = append(rows, n.Parent.Parent.SelectAttr("id"))
		}
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	// vuln: CWE-79
	reportTmpl.Execute(c.Writer, map[string]any{"Course": course, "PreparedFor": c.Query("prepared_for"), "Rows": rows})
}

type importRequest struct {
	SourceURL string `json:"source_url" binding:"required"`
	Faculty   string `json:"faculty" binding:"required"`
}

func importCatalogue(c *gin.Context) {
	var req importRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.String(http.StatusBadRequest, "invalid request")
		return
	}
	client := &http.Client{Timeout: 30 * time.Second}
	// vuln: CWE-918
	resp, err := client.Get(req.SourceURL)
	if err != nil {
		c.String(http.StatusBadGateway, "could not fetch catalogue")
		return
	}
	defer resp.Body.Close()
	doc, err := xmlquery.Parse(resp.Body)
	if err != nil {
		c.String(http.StatusUnprocessableEntity, "invalid XML")
		return
	}
	c.JSON(http.StatusOK, gin.H{"faculty": req.Faculty, "courses": len(xmlquery.Find(doc, "//course"))})
}

var partnerFeeds = map[string]string{
	"engineering": "https://feeds.eng.uni.example.edu/catalogue.xml",
	"medicine":    "https://feeds.med.uni.example.edu/catalogue.xml",
	"law":         "https://law.uni.example.edu/export/catalogue.xml",
}

func importPartnerCatalogue(c *gin.Context) {
	feed, ok := partnerFeeds[c.PostForm("faculty")]
	if !ok {
		c.String(http.StatusBadRequest, "unknown faculty")
		return
	}
	// safe: CWE-918
	resp, err := http.Get(feed)
	if err != nil {
		c.String(http.StatusBadGateway, "could not fetch catalogue")
		return
	}
	defer resp.Body.Close()
	doc, err := xmlquery.Parse(resp.Body)
	if err != nil {
		c.String(http.StatusUnprocessableEntity, "invalid XML")
		return
	}
	c.JSON(http.StatusOK, gin.H{"courses": len(xmlquery.Find(doc, "//course"))})
}

func exportGrades(c *gin.Context) {
	term := c.PostForm("term")
	name := c.DefaultPostForm("filename", "grades-"+time.Now().Format("20060102")+".csv")
	// vuln: CWE-22
	f, err := os.Create(filepath.Join(exportDir, name))
	if err != nil {
		c.String(http.StatusInternalServerError, "could not create export")
		return
	}
	defer f.Close()
	w := csv.NewWriter(f)
	w.Write([]string{"student_id", "course", "term", "grade"})
	w.Flush()
	c.JSON(http.StatusCreated, gin.H{"file": name, "term": term})
}

func downloadExport(c *gin.Context) {
	// vuln: CWE-22
	c.FileAttachment(exportDir+"/"+c.Query("name"), "export.csv")
}

func downloadExportChecked(c *gin.Context) {
	name := c.Query("name")
	if !exportName.MatchString(name) {
		c.String(http.StatusBadRequest, "invalid export name")
		return
	}
	// safe: CWE-22
	c.FileAttachment(filepath.Join(exportDir, name), name)
}
