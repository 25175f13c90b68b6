package com.example.logistics.staff;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.xml.namespace.QName;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpression;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.springframework.ldap.core.LdapTemplate;
import org.springframework.ldap.filter.AndFilter;
import org.springframework.ldap.filter.EqualsFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** Driver and dispatcher lookups in Active Directory and the XML depot roster. */
@RestController
public class StaffDirectoryController {

    private static final String AD_BASE = "OU=Drivers,DC=logistics,DC=example,DC=net";
    private static final Set<String> SHIFTS = Set.of("early", "late", "night");
    private static final Pattern PLATE = Pattern.compile("^[A-Z0-9-]{2,10}$");

    private final InitialDirContext ad;
    private final LdapTemplate ldap;
    private final Document roster;
    private final XPath xpath = XPathFactory.newInstance().newXPath();

    public StaffDirectoryController(InitialDirContext ad, LdapTemplate ldap, Document roster) {
        this.ad = ad;
        this.ldap = ldap;
        this.roster = roster;
    }

    private static SearchControls controls() {
        SearchControls sc = new SearchControls();
        sc.setSearchScope(SearchControls.SUBTREE_SCOPE);
        sc.setReturningAttributes(new String[] {"displayName"});
        return sc;
    }

    @GetMapping("/drivers/{badge}")
    public boolean driverByBadge(@PathVariable String badge) throws NamingException {
        // vuln: CWE-90
        NamingEnumeration<SearchResult> results = ad.search(AD_BASE, "(employeeID=" + badge + ")", controls());
        return results.hasMore();
    }

    @GetMapping("/drivers")
    public List<String> driversInCity(@RequestParam String city) {
        String filter = "(&(objectClass=user)(l=" + city + "))";
        // vuln: CWE-90
        return ldap.search("", filter, (javax.naming.directory.Attributes attrs) -> (String) attrs.get("displayName").get());
    }

    @GetMapping("/me/dispatcher")
    public boolean isDispatcher(@RequestHeader("X-Remote-User") String login) throws NamingException {
        String filter = String.format("(&(sAMAccountName=%s)(memberOf=CN=Dispatchers,OU=Groups,DC=logistics,DC=example,DC=net))", login);
        // vuln: CWE-90
        return ad.search(AD_BASE, filter, controls()).hasMore();
    }

    @GetMapping("/drivers/{badge}/safe")
    public boolean driverByBadgeSafe(@PathVariable String badge) throws NamingException {
        // safe: CWE-90
        NamingEnumeration<SearchResult> results = ad.search(AD_BASE, "(employeeID={0})", new Object[] {badge}, controls());
        return results.hasMore();
    }

    @GetMapping("/drivers/safe")
    public List<String> driversInCitySafe(@RequestParam String city) {
        AndFilter filter = new AndFilter().and(new EqualsFilter("objectClass", "user")).and(new EqualsFilter("l", city));
        // safe: CWE-90
        return ldap.search("", filter.encode(), (javax.naming.directory.Attributes attrs) -> (String) attrs.get("displayName").get());
    }

    @GetMapping("/drivers/disabled")
    public boolean anyDisabled() throws NamingException {
        // safe: CWE-90
        return ad.search(AD_BASE, "(&(objectClass=user)(userAccountControl:1.2.840.113556.1.4.803:=2))", controls()).hasMore();
    }

    @GetMapping("/roster/depot")
    public NodeList depotDrivers(@RequestParam String depot) throws XPathExpressionException {
        // vuln: CWE-643
        return (NodeList) xpath.evaluate("//depot[@code=\"" + depot + "\"]/driver", roster, XPathConstants.NODESET);
    }

    @GetMapping("/roster/vehicle/{plate}")
    public String vehicleDriver(@PathVariable String plate) throws XPathExpressionException {
        // vuln: CWE-643
        XPathExpression expr = xpath.compile("string(//vehicle[plate='" + plate + "']/assigned-driver)");
        return expr.evaluate(roster);
    }

    @PostMapping("/roster/lookup")
    public NodeList bySurname(@RequestParam String surname) throws XPathExpressionException {
        String query = String.format("//driver[surname='%s']", surname);
        // vuln: CWE-643
        return (NodeList) XPathFactory.newInstance().newXPath().evaluate(query, roster, XPathConstants.NODESET);
    }

    @GetMapping("/roster/vehicle/{plate}/safe")
    public String vehicleDriverSafe(@PathVariable String plate) throws XPathExpressionException {
        if (!PLATE.matcher(plate).matches()) {
            throw new IllegalArgumentException("bad plate");
        }
        // safe: CWE-643
        return xpath.compile("string(//vehicle[plate='" + plate + "']/assigned-driver)").evaluate(roster);
    }

    @PostMapping("/roster/lookup/safe")
    public NodeList bySurnameSafe(@RequestParam String surname) throws XPathExpressionException {
        XPath bound = XPathFactory.newInstance().newXPath();
        bound.setXPathVariableResolver((QName name) -> "surname".equals(name.getLocalPart()) ? surname : null);
        // safe: CWE-643
        return (NodeList) bound.evaluate("//driver[surname=$surname]", roster, XPathConstants.NODESET);
    }

    @GetMapping("/roster/shift/{shift}")
    public NodeList shiftDrivers(@PathVariable String shift) throws XPathExpressionException {
        if (!SHIFTS.contains(shift)) {
            throw new IllegalArgumentException("unknown shift");
        }
        // safe: CWE-643
        return (NodeList) xpath.evaluate("//shift[@name='" + shift + "']/driver", roster, XPathConstants.NODESET);
    }
}
