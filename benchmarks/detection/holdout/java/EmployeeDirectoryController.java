package gov.riverton.intranet;

import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.ldap.core.AttributesMapper;
import org.springframework.ldap.core.LdapTemplate;
import org.springframework.ldap.query.LdapQueryBuilder;
import org.springframework.ldap.support.LdapEncoder;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.util.HtmlUtils;

/**
 * Staff intranet: employee directory backed by the city's OpenLDAP tree.
 * Reachable only from the city network, but every authenticated employee can use it.
 */
@Controller
@RequestMapping("/intranet/directory")
public class EmployeeDirectoryController {

    private static final String PEOPLE_BASE = "ou=people,dc=riverton,dc=gov";
    private static final String GROUPS_BASE = "ou=groups,dc=riverton,dc=gov";
    private static final Set<String> DEPARTMENTS =
            Set.of("CLERK", "PUBLIC_WORKS", "PARKS", "FINANCE", "PLANNING", "UTILITIES", "IT", "POLICE_ADMIN");
    private static final Pattern EMPLOYEE_NUMBER = Pattern.compile("^E\\d{6}$");
    private static final String[] CARD_ATTRIBUTES = {"cn", "title", "telephoneNumber", "mail", "departmentNumber"};

    private static final SecureRandom TOKEN_RANDOM = new SecureRandom();

    private final Map<String, String> kioskTokens = new ConcurrentHashMap<>();
    private final LdapTemplate ldapTemplate;
    private final String ldapUrl;
    private final String bindDn;
    private final String bindPassword;

    public EmployeeDirectoryController(LdapTemplate ldapTemplate,
                                       @Value("${riverton.ldap.url}") String ldapUrl,
                                       @Value("${riverton.ldap.bind-dn}") String bindDn,
                                       @Value("${riverton.ldap.bind-password}") String bindPassword) {
        this.ldapTemplate = ldapTemplate;
        this.ldapUrl = ldapUrl;
        this.bindDn = bindDn;
        this.bindPassword = bindPassword;
    }

    private DirContext openContext() throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, ldapUrl);
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, bindDn);
        env.put(Context.SECURITY_CREDENTIALS, bindPassword);
        return new InitialDirContext(env);
    }

    private static SearchControls subtree() {
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setReturningAttributes(CARD_ATTRIBUTES);
        controls.setCountLimit(200);
        return controls;
    }

    private static String attr(Attributes attrs, String name) throws NamingException {
        Attribute a = attrs.get(name);
        return a == null ? "" : String.valueOf(a.get());
    }

    /** Type-ahead search on surname. */
    @GetMapping(value = "/search", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public String searchBySurname(@RequestParam("q") String surname) throws NamingException {
        DirContext ctx = openContext();
        try {
            StringBuilder html = new StringBuilder("<ul class=\"directory\">");
            // vuln: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(PEOPLE_BASE, "(&(objectClass=inetOrgPerson)(sn=" + surname + "*))", subtree());
            int count = 0;
            while (results.hasMore()) {
                Attributes attrs = results.next().getAttributes();
                html.append("<li>").append(HtmlUtils.htmlEscape(attr(attrs, "cn")))
                    .append(" &ndash; ").append(HtmlUtils.htmlEscape(attr(attrs, "title"))).append("</li>");
                count++;
            }
            html.append("</ul>");
            if (count == 0) {
                // vuln: CWE-79
                return "<p class=\"empty\">No staff found whose surname starts with <b>" + surname + "</b>.</p>";
            }
            return html.toString();
        } finally {
            ctx.close();
        }
    }

    /** Lookup by badge / employee number, used by the reception desk kiosk. */
    @GetMapping(value = "/employee/{employeeNumber}", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public String employeeCard(@PathVariable String employeeNumber) throws NamingException {
        DirContext ctx = openContext();
        try {
            // safe: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(PEOPLE_BASE, "(&(objectClass=inetOrgPerson)(employeeNumber={0}))", new Object[] {employeeNumber}, subtree());
            if (!results.hasMore()) {
                // safe: CWE-79
                return "<p class=\"empty\">No employee with number " + HtmlUtils.htmlEscape(employeeNumber) + ".</p>";
            }
            Attributes attrs = results.next().getAttributes();
            return "<div class=\"card\"><h3>" + HtmlUtils.htmlEscape(attr(attrs, "cn")) + "</h3><p>"
                    + HtmlUtils.htmlEscape(attr(attrs, "telephoneNumber")) + "</p></div>";
        } finally {
            ctx.close();
        }
    }

    /** Search by e-mail address; the help desk pastes addresses from tickets. */
    @GetMapping("/by-mail")
    @ResponseBody
    public List<String> findByMail(@RequestParam("mail") String mail) {
        String normalized = mail.trim().toLowerCase(Locale.ROOT);
        AttributesMapper<String> cn = attrs -> String.valueOf(attrs.get("cn").get());
        // vuln: CWE-90
        return ldapTemplate.search("", "(&(objectClass=inetOrgPerson)(mail=" + normalized + "))", cn);
    }

    /** Department roster; department codes come from a drop-down but are re-checked here. */
    @GetMapping("/department")
    @ResponseBody
    public List<String> department(@RequestParam("code") String code, HttpSession session) {
        String dept = code.trim().toUpperCase(Locale.ROOT);
        if (!DEPARTMENTS.contains(dept)) {
            throw new IllegalArgumentException("Unknown department");
        }
        // safe: CWE-501
        session.setAttribute("directory.lastDepartment", dept);
        AttributesMapper<String> cn = attrs -> String.valueOf(attrs.get("cn").get());
        // safe: CWE-90
        return ldapTemplate.search(LdapQueryBuilder.query().base("").where("objectClass").is("inetOrgPerson").and("departmentNumber").is(dept), cn);
    }

    /** Reporting line: everybody who reports to the given manager. */
    @GetMapping("/reports-to")
    @ResponseBody
    public List<String> directReports(@RequestParam("employee") String employee,
                                      @RequestParam(value = "manager", required = false) String manager) throws NamingException {
        if (!EMPLOYEE_NUMBER.matcher(employee).matches()) {
            throw new IllegalArgumentException("Bad employee number");
        }
        String managerUid = (manager == null || manager.isBlank()) ? employee : manager;
        DirContext ctx = openContext();
        List<String> names = new ArrayList<>();
        try {
            String filter = String.format("(&(objectClass=inetOrgPerson)(manager=uid=%s,%s))", managerUid, PEOPLE_BASE);
            // vuln: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(PEOPLE_BASE, filter, subtree());
            while (results.hasMore()) {
                names.add(attr(results.next().getAttributes(), "cn"));
            }
        } finally {
            ctx.close();
        }
        return names;
    }

    /** Group membership for the "who can approve what" page. */
    @GetMapping("/groups")
    @ResponseBody
    public List<String> groupMembers(@RequestParam("group") String group) throws NamingException {
        String cleaned = HtmlUtils.htmlEscape(group.trim());
        DirContext ctx = openContext();
        List<String> members = new ArrayList<>();
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.ONELEVEL_SCOPE);
            controls.setReturningAttributes(new String[] {"member"});
            // vuln: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(GROUPS_BASE, "(&(objectClass=groupOfNames)(cn=" + cleaned + "))", controls);
            while (results.hasMore()) {
                NamingEnumeration<?> values = results.next().getAttributes().get("member").getAll();
                while (values.hasMore()) {
                    members.add(String.valueOf(values.next()));
                }
            }
        } finally {
            ctx.close();
        }
        return members;
    }

    /** Phone extension lookup used by the switchboard softphone plugin. */
    @GetMapping("/extension")
    @ResponseBody
    public List<String> byExtension(@RequestHeader("X-Caller-Extension") String extension) {
        AttributesMapper<String> cn = attrs -> String.valueOf(attrs.get("cn").get());
        String filter = "(&(objectClass=inetOrgPerson)(telephoneNumber=*" + LdapEncoder.filterEncode(extension) + "))";
        // safe: CWE-90
        return ldapTemplate.search("", filter, cn);
    }

    /** Building/location search: the kiosk sends the building as a path segment. */
    @GetMapping("/building/{building}")
    @ResponseBody
    public List<String> byBuilding(@PathVariable("building") String building) throws NamingException {
        DirContext ctx = openContext();
        List<String> names = new ArrayList<>();
        try {
            Object[] args = {building, "inetOrgPerson"};
            // safe: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(PEOPLE_BASE, "(&(objectClass={1})(physicalDeliveryOfficeName={0}))", args, subtree());
            while (results.hasMore()) {
                names.add(attr(results.next().getAttributes(), "cn"));
            }
        } finally {
            ctx.close();
        }
        return names;
    }

    /** Stores the viewer's preferred department filter and impersonation target (help desk). */
    @PostMapping("/preferences")
    public String savePreferences(@RequestParam("department") String department,
                                  @RequestParam(value = "returnTo", defaultValue = "/intranet/directory") String returnTo,
                                  @RequestHeader(value = "X-Act-As", required = false) String actAs,
                                  HttpSession session, HttpServletResponse response) {
        // vuln: CWE-501
        session.setAttribute("directory.defaultDepartment", department);
        if (actAs != null && !actAs.isBlank()) {
            // vuln: CWE-501
            session.setAttribute("helpdesk.actingAsUid", actAs.trim());
        }
        Cookie view = new Cookie("dir_view", "compact");
        view.setPath("/intranet");
        view.setMaxAge(60 * 60 * 24 * 180);
        view.setSecure(true);
        view.setHttpOnly(true);
        // safe: CWE-614
        response.addCookie(view);
        // vuln: CWE-601
        return "redirect:" + returnTo;
    }

    /** Pins an employee card on the user's dashboard. */
    @PostMapping("/pin")
    public String pin(@RequestParam("employee") String employee,
                      @RequestParam(value = "next", required = false) String next,
                      @CookieValue(value = "dir_pins", defaultValue = "") String pins,
                      HttpServletResponse response) {
        if (!EMPLOYEE_NUMBER.matcher(employee).matches()) {
            return "redirect:/intranet/directory";
        }
        String updated = pins.isEmpty() ? employee : pins + "." + employee;
        Cookie pinned = new Cookie("dir_pins", updated);
        pinned.setPath("/intranet");
        pinned.setMaxAge(60 * 60 * 24 * 365);
        pinned.setSecure(true);
        pinned.setHttpOnly(true);
        response.addCookie(pinned);
        String target = "/intranet/directory";
        if (next != null) {
            URI uri = URI.create(next);
            boolean local = !uri.isAbsolute() && uri.getRawAuthority() == null
                    && next.startsWith("/") && !next.startsWith("//") && next.indexOf('\\') < 0;
            if (local) {
                target = uri.normalize().toString();
            }
        }
        // safe: CWE-601
        return "redirect:" + target;
    }

    /**
     * Registers a reception kiosk. The kiosk token authorises unattended directory look-ups
     * from the lobby terminals, so it is issued as a long-lived cookie.
     */
    @PostMapping("/kiosk/register")
    public String registerKiosk(@RequestParam("kioskName") String kioskName, HttpServletResponse response) {
        byte[] raw = new byte[32];
        TOKEN_RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        kioskTokens.put(token, kioskName.trim());
        Cookie kiosk = new Cookie("RVT_KIOSK", token);
        kiosk.setPath("/intranet");
        kiosk.setHttpOnly(true);
        kiosk.setMaxAge(60 * 60 * 24 * 90);
        // vuln: CWE-614
        response.addCookie(kiosk);
        return "redirect:/intranet/directory/kiosk";
    }

    /** Flash message after an HR update (the HR system redirects back with ?msg=). */
    @GetMapping(value = "/updated", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public String updated(@RequestParam(value = "msg", defaultValue = "Saved") String msg,
                          @RequestParam(value = "employee", required = false) String employee) {
        if (employee == null) {
            // safe: CWE-79
            return "<div class=\"flash\">" + HtmlUtils.htmlEscape(msg) + "</div>";
        }
        // vuln: CWE-79
        return "<div class=\"flash\">" + HtmlUtils.htmlEscape(msg) + "</div><a href=\"/intranet/directory/employee/" + employee + "\">Back to card</a>";
    }

    /** Stores the employee the help desk is currently working on, after checking it exists. */
    @PostMapping("/helpdesk/focus")
    public String focus(@RequestParam("employee") String employee, HttpSession session) {
        String trimmed = employee.trim();
        if (!EMPLOYEE_NUMBER.matcher(trimmed).matches()) {
            return "redirect:/intranet/directory?error=badnumber";
        }
        // safe: CWE-501
        session.setAttribute("helpdesk.focusEmployee", trimmed);
        return "redirect:/intranet/directory/employee/" + trimmed;
    }
}
