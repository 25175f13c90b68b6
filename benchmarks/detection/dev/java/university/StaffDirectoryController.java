package edu.uniplatform.directory;

import static org.springframework.ldap.query.LdapQueryBuilder.query;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.dom4j.DocumentException;
import org.dom4j.Node;
import org.dom4j.io.SAXReader;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.ClassPathResource;
import org.springframework.ldap.core.AttributesMapper;
import org.springframework.ldap.core.LdapTemplate;
import org.springframework.ldap.filter.AndFilter;
import org.springframework.ldap.filter.EqualsFilter;
import org.springframework.ldap.support.LdapEncoder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

@RestController
@RequestMapping("/api/directory")
public class StaffDirectoryController {

    private static final String STAFF_BASE = "ou=staff,dc=uniplatform,dc=edu";
    private static final Set<String> ORG_FIELDS = Set.of("office", "phone", "building", "title");
    private static final AttributesMapper<String> CN_MAPPER = attrs -> (String) attrs.get("cn").get();

    private final LdapTemplate ldapTemplate;
    private final Document orgChart;
    private final org.dom4j.Document facultyRegistry;

    @Value("${directory.ldap.url}")
    private String ldapUrl;

    public StaffDirectoryController(LdapTemplate ldapTemplate) throws IOException, ParserConfigurationException, SAXException, DocumentException {
        this.ldapTemplate = ldapTemplate;
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (InputStream in = new ClassPathResource("directory/org-chart.xml").getInputStream()) {
            this.orgChart = dbf.newDocumentBuilder().parse(in);
        }
        try (InputStream in = new ClassPathResource("directory/faculty-registry.xml").getInputStream()) {
            this.facultyRegistry = new SAXReader().read(in);
        }
    }

    private DirContext openContext() throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, ldapUrl);
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, System.getenv("DIRECTORY_BIND_DN"));
        env.put(Context.SECURITY_CREDENTIALS, System.getenv("DIRECTORY_BIND_PASSWORD"));
        return new InitialDirContext(env);
    }

    private static List<String> collect(NamingEnumeration<SearchResult> results) throws NamingException {
        List<String> names = new ArrayList<>();
        while (results.hasMore()) {
            names.add(results.next().getNameInNamespace());
        }
        return names;
    }

    @GetMapping("/people")
    public List<String> lookupByUid(@RequestParam String uid) throws NamingException {
        DirContext ctx = openContext();
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
            // vuln: CWE-90
            return collect(ctx.search(STAFF_BASE, "(&(objectClass=inetOrgPerson)(uid=" + uid + "))", controls));
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/people/by-name")
    public List<String> lookupByName(@RequestParam String name) throws NamingException {
        DirContext ctx = openContext();
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
            // safe: CWE-90
            return collect(ctx.search(STAFF_BASE, "(&(objectClass=inetOrgPerson)(cn={0}))", new Object[] {name}, controls));
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/department/{dept}/members")
    public List<String> departmentMembers(@PathVariable String dept, @RequestParam(defaultValue = "*") String title) throws NamingException {
        String filter = String.format("(&(departmentNumber=%s)(title=%s))", dept, title);
        DirContext ctx = openContext();
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.ONELEVEL_SCOPE);
            controls.setReturningAttributes(new String[] {"cn", "mail", "telephoneNumber"});
            // vuln: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(STAFF_BASE, filter, controls);
            return collect(results);
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/mail")
    public List<String> lookupByMail(@RequestParam String email) {
        // vuln: CWE-90
        return ldapTemplate.search("ou=people", "(mail=" + email + ")", CN_MAPPER);
    }

    @GetMapping("/mail/exact")
    public List<String> lookupByMailSafely(@RequestParam String email) {
        // safe: CWE-90
        return ldapTemplate.search(query().base("ou=people").where("objectClass").is("person").and("mail").is(email), CN_MAPPER);
    }

    @GetMapping("/office-holders")
    public List<String> officeHolders(@RequestParam String building, @RequestParam String room) {
        AndFilter filter = new AndFilter();
        filter.and(new EqualsFilter("objectClass", "inetOrgPerson"));
        filter.and(new EqualsFilter("buildingName", building));
        filter.and(new EqualsFilter("roomNumber", room));
        // safe: CWE-90
        return ldapTemplate.search("ou=people", filter.encode(), CN_MAPPER);
    }

    @GetMapping("/me/colleagues")
    public List<String> colleagues(@RequestHeader("X-Campus-Unit") String unit) {
        String filter = "(&(objectClass=inetOrgPerson)(ou=" + LdapEncoder.filterEncode(unit) + "))";
        // safe: CWE-90
        return ldapTemplate.search("ou=people", filter, CN_MAPPER);
    }

    @GetMapping("/managers")
    public List<String> managersOf(@RequestHeader("X-Campus-Unit") String unit) throws NamingException {
        DirContext ctx = openContext();
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
            // vuln: CWE-90
            return collect(ctx.search("ou=units,dc=uniplatform,dc=edu", "(&(objectClass=organizationalUnit)(ou=" + unit + ")(manager=*))", controls));
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/org/unit")
    public String unitHead(@RequestParam String unitCode) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        return xpath.evaluate("/orgChart/unit[@code='" + unitCode + "']/head/name", orgChart);
    }

    @GetMapping("/org/unit/{code}/members")
    public int unitMemberCount(@PathVariable String code) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setXPathVariableResolver(var -> "code".equals(var.getLocalPart()) ? code : null);
        // safe: CWE-643
        NodeList members = (NodeList) xpath.evaluate("/orgChart/unit[@code=$code]/member", orgChart, XPathConstants.NODESET);
        return members.getLength();
    }

    @GetMapping("/org/person")
    public String personDetail(@RequestParam String staffId, @RequestParam String field) throws XPathExpressionException {
        if (!ORG_FIELDS.contains(field)) {
            throw new IllegalArgumentException("unknown field");
        }
        long id = Long.parseLong(staffId);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        return xpath.evaluate("/orgChart//member[@staffId=" + id + "]/" + field, orgChart);
    }

    @PostMapping("/org/search")
    public int searchOrgChart(@RequestBody Map<String, String> criteria) throws XPathExpressionException {
        String expression = String.format("count(/orgChart//member[building='%s' and role='%s'])", criteria.get("building"), criteria.get("role"));
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        Double count = (Double) xpath.compile(expression).evaluate(orgChart, XPathConstants.NUMBER);
        return count.intValue();
    }

    @GetMapping("/faculty")
    public List<String> facultyBySpecialty(@RequestParam String specialty) {
        List<String> names = new ArrayList<>();
        // vuln: CWE-643
        List<Node> nodes = facultyRegistry.selectNodes("//faculty/professor[specialty='" + specialty + "']/name");
        for (Node n : nodes) {
            names.add(n.getText());
        }
        return names;
    }

    @GetMapping("/faculty/emeriti")
    public List<String> emeriti() {
        List<String> names = new ArrayList<>();
        // safe: CWE-643
        List<Node> nodes = facultyRegistry.selectNodes("//faculty/professor[@status='emeritus']/name");
        for (Node n : nodes) {
            names.add(n.getText());
        }
        return names;
    }

    @GetMapping("/org/room")
    public String roomOccupant(@RequestParam String room) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        StringBuilder expr = new StringBuilder("/orgChart//member[office='");
        expr.append(room).append("']/name");
        // vuln: CWE-643
        return xpath.evaluate(expr.toString(), orgChart);
    }
}
