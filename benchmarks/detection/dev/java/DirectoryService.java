package com.example.shop.directory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.DirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.servlet.http.HttpServletRequest;
import javax.xml.namespace.QName;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.springframework.ldap.core.LdapTemplate;
import org.springframework.ldap.query.LdapQueryBuilder;
import org.springframework.ldap.support.LdapEncoder;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** People lookups against the corporate LDAP and the XML org chart. */
public class DirectoryService {

    private static final String BASE_DN = "ou=people,dc=corp,dc=example,dc=com";
    private static final Set<String> DEPARTMENTS = Set.of("eng", "sales", "support");

    private final DirContext ctx;
    private final LdapTemplate ldapTemplate;
    private final Document orgChart;
    private final XPath xpath = XPathFactory.newInstance().newXPath();

    public DirectoryService(DirContext ctx, LdapTemplate ldapTemplate, Document orgChart) {
        this.ctx = ctx;
        this.ldapTemplate = ldapTemplate;
        this.orgChart = orgChart;
    }

    private static SearchControls subtree() {
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        return controls;
    }

    private static List<String> names(NamingEnumeration<SearchResult> results) throws NamingException {
        List<String> out = new ArrayList<>();
        while (results.hasMore()) {
            out.add(results.next().getNameInNamespace());
        }
        return out;
    }

    public List<String> findPerson(HttpServletRequest request) throws NamingException {
        String uid = request.getParameter("uid");
        // vuln: CWE-90
        NamingEnumeration<SearchResult> results = ctx.search(BASE_DN, "(uid=" + uid + ")", subtree());
        return names(results);
    }

    public List<String> searchPeople(HttpServletRequest request) throws NamingException {
        String filter = String.format("(&(sn=%s*)(departmentNumber=%s))", request.getParameter("surname"), request.getParameter("department"));
        // vuln: CWE-90
        return names(ctx.search(BASE_DN, filter, subtree()));
    }

    public List<Object> groupMembers(String group) {
        // vuln: CWE-90
        return ldapTemplate.search("ou=groups", "(&(objectClass=groupOfNames)(cn=" + group + "))", (javax.naming.directory.Attributes attrs) -> attrs.get("member").get());
    }

    public List<String> personByEmail(HttpServletRequest request) throws NamingException {
        String email = request.getHeader("X-User-Email");
        String filter = "(mail=" + email + ")";
        // vuln: CWE-90
        return names(ctx.search("ou=people,dc=corp,dc=example,dc=com", filter, null, subtree()));
    }

    public List<String> findPersonSafe(HttpServletRequest request) throws NamingException {
        String uid = request.getParameter("uid");
        // safe: CWE-90
        NamingEnumeration<SearchResult> results = ctx.search(BASE_DN, "(uid={0})", new Object[] {uid}, subtree());
        return names(results);
    }

    public List<String> searchPeopleSafe(HttpServletRequest request) throws NamingException {
        String surname = LdapEncoder.filterEncode(request.getParameter("surname"));
        // safe: CWE-90
        return names(ctx.search(BASE_DN, "(sn=" + surname + "*)", subtree()));
    }

    public List<Object> groupMembersSafe(String group) {
        // safe: CWE-90
        return ldapTemplate.search(LdapQueryBuilder.query().base("ou=groups").where("objectClass").is("groupOfNames").and("cn").is(group), (javax.naming.directory.Attributes attrs) -> attrs.get("member").get());
    }

    public List<String> activePeople() throws NamingException {
        // safe: CWE-90
        return names(ctx.search(BASE_DN, "(&(objectClass=person)(!(nsAccountLock=TRUE)))", subtree()));
    }

    public String manager(HttpServletRequest request) throws XPathExpressionException {
        String employee = request.getParameter("employee");
        // vuln: CWE-643
        return xpath.evaluate("//employee[@id='" + employee + "']/ancestor::employee[1]/@name", orgChart);
    }

    public NodeList teamMembers(HttpServletRequest request) throws XPathExpressionException {
        String expression = "//team[name='" + request.getParameter("team") + "']/member";
        // vuln: CWE-643
        return (NodeList) xpath.compile(expression).evaluate(orgChart, XPathConstants.NODESET);
    }

    public String phone(String name) throws XPathExpressionException {
        String expr = String.format("string(//employee[@name=\"%s\"]/phone)", name);
        // vuln: CWE-643
        return (String) xpath.evaluate(expr, orgChart, XPathConstants.STRING);
    }

    public String managerSafe(HttpServletRequest request) throws XPathExpressionException {
        String employee = request.getParameter("employee");
        XPath bound = XPathFactory.newInstance().newXPath();
        bound.setXPathVariableResolver((QName name) -> "emp".equals(name.getLocalPart()) ? employee : null);
        // safe: CWE-643
        return bound.evaluate("//employee[@id=$emp]/ancestor::employee[1]/@name", orgChart);
    }

    public NodeList departmentHeads(String dept) throws XPathExpressionException {
        if (!DEPARTMENTS.contains(dept)) {
            throw new IllegalArgumentException("unknown department");
        }
        // safe: CWE-643
        return (NodeList) xpath.evaluate("//department[@code='" + dept + "']/head", orgChart, XPathConstants.NODESET);
    }

    public NodeList floor(HttpServletRequest request) throws XPathExpressionException {
        int floor = Integer.parseInt(request.getParameter("floor"));
        // safe: CWE-643
        return (NodeList) xpath.evaluate("//employee[office/@floor=" + floor + "]", orgChart, XPathConstants.NODESET);
    }
}
