package org.citylibrary.staff;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import org.springframework.ldap.core.AttributesMapper;
import org.springframework.ldap.core.LdapTemplate;
import org.springframework.ldap.filter.AndFilter;
import org.springframework.ldap.filter.EqualsFilter;
import org.springframework.ldap.query.LdapQueryBuilder;
import org.springframework.ldap.support.LdapEncoder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Staff directory backed by the city's Active Directory (ou=Library).
 * Used by the back-office "who's on shift" page, the room-booking approver
 * lookup and the intranet phone list.
 */
public class StaffDirectoryService {

    private static final String BASE_DN = "ou=Library,ou=Departments,dc=city,dc=gov";
    private static final Set<String> DEPARTMENTS = Set.of("Circulation", "Reference", "Childrens", "Technical Services", "Facilities", "Outreach");

    private final String ldapUrl;
    private final String bindDn;
    private final String bindPassword;

    public StaffDirectoryService(String ldapUrl, String bindDn, String bindPassword) {
        this.ldapUrl = ldapUrl;
        this.bindDn = bindDn;
        this.bindPassword = bindPassword;
    }

    private DirContext connect() throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, ldapUrl);
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, bindDn);
        env.put(Context.SECURITY_CREDENTIALS, bindPassword);
        return new InitialDirContext(env);
    }

    private static SearchControls subtree(String... attrs) {
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setReturningAttributes(attrs);
        controls.setCountLimit(200);
        return controls;
    }

    public List<String> findByName(String name) throws NamingException {
        DirContext ctx = connect();
        try {
            String filter = "(&(objectClass=person)(|(cn=*" + name + "*)(sn=" + name + "*)))";
            // vuln: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(BASE_DN, filter, subtree("cn", "mail", "telephoneNumber"));
            return collect(results, "cn");
        } finally {
            ctx.close();
        }
    }

    public List<String> findByBadge(String badgeId) throws NamingException {
        DirContext ctx = connect();
        try {
            // safe: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(BASE_DN, "(&(objectClass=person)(employeeNumber={0}))", new Object[] {badgeId}, subtree("cn", "mail"));
            return collect(results, "cn");
        } finally {
            ctx.close();
        }
    }

    public List<String> membersOfDepartment(String department, String branch) throws NamingException {
        DirContext ctx = connect();
        try {
            StringBuilder filter = new StringBuilder("(&(objectClass=person)");
            filter.append("(department=").append(department).append(")");
            filter.append("(physicalDeliveryOfficeName=").append(branch).append("))");
            // vuln: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(BASE_DN, filter.toString(), subtree("cn", "title"));
            return collect(results, "cn");
        } finally {
            ctx.close();
        }
    }

    public List<String> departmentPhoneList(String department) throws NamingException {
        if (!DEPARTMENTS.contains(department)) {
            throw new IllegalArgumentException("unknown department");
        }
        DirContext ctx = connect();
        try {
            String filter = String.format("(&(objectClass=person)(department=%s))", department);
            // safe: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(BASE_DN, filter, subtree("cn", "telephoneNumber"));
            return collect(results, "telephoneNumber");
        } finally {
            ctx.close();
        }
    }

    public boolean isShiftSupervisor(String uid) throws NamingException {
        DirContext ctx = connect();
        try {
            String filter = "(&(uid=" + escapeFilter(uid) + ")(memberOf=cn=ShiftSupervisors,ou=Groups," + BASE_DN + "))";
            // safe: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(BASE_DN, filter, subtree("uid"));
            return results.hasMore();
        } finally {
            ctx.close();
        }
    }

    public Attributes profile(String uid) throws NamingException {
        DirContext ctx = connect();
        try {
            SearchControls controls = subtree("cn", "mail", "title", "manager");
            // vuln: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(BASE_DN, String.format("(uid=%s)", uid), controls);
            return results.hasMore() ? results.next().getAttributes() : null;
        } finally {
            ctx.close();
        }
    }

    private static List<String> collect(NamingEnumeration<SearchResult> results, String attr) throws NamingException {
        List<String> out = new ArrayList<>();
        while (results.hasMore()) {
            Attribute value = results.next().getAttributes().get(attr);
            if (value != null) {
                out.add(String.valueOf(value.get()));
            }
        }
        return out;
    }

    /** RFC 4515 escaping for values placed in a search filter. */
    static String escapeFilter(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\\': sb.append("\\5c"); break;
                case '*': sb.append("\\2a"); break;
                case '(': sb.append("\\28"); break;
                case ')': sb.append("\\29"); break;
                case '\0': sb.append("\\00"); break;
                default: sb.append(c);
            }
        }
        return sb.toString();
    }
}

@RestController
class StaffDirectoryController {

    private final LdapTemplate ldapTemplate;

    StaffDirectoryController(LdapTemplate ldapTemplate) {
        this.ldapTemplate = ldapTemplate;
    }

    @GetMapping("/staff/directory/approvers")
    List<String> roomBookingApprovers(@RequestParam("room") String roomCode) {
        // vuln: CWE-90
        return ldapTemplate.search("ou=Library", "(&(objectClass=person)(approvesRoom=" + roomCode + "))", (AttributesMapper<String>) attrs -> (String) attrs.get("cn").get());
    }

    @GetMapping("/staff/directory/by-mail")
    List<String> byMail(@RequestParam("mail") String mail) {
        // safe: CWE-90
        return ldapTemplate.search(LdapQueryBuilder.query().base("ou=Library").where("objectClass").is("person").and("mail").is(mail), (AttributesMapper<String>) attrs -> (String) attrs.get("cn").get());
    }

    @GetMapping("/staff/directory/{uid}/manager")
    List<String> manager(@PathVariable String uid) {
        String filter = "(&(objectClass=person)(uid=" + LdapEncoder.filterEncode(uid) + "))";
        // safe: CWE-90
        return ldapTemplate.search("ou=Library", filter, (AttributesMapper<String>) attrs -> (String) attrs.get("manager").get());
    }

    @GetMapping("/staff/directory/me")
    List<String> whoAmI(@RequestHeader("X-Remote-User") String remoteUser) {
        String filter = "(&(objectClass=user)(sAMAccountName=" + remoteUser + "))";
        // vuln: CWE-90
        return ldapTemplate.search("", filter, (AttributesMapper<String>) attrs -> (String) attrs.get("displayName").get());
    }

    @GetMapping("/staff/directory/on-shift")
    List<String> onShift(@RequestParam("branch") String branch) {
        AndFilter filter = new AndFilter();
        filter.and(new EqualsFilter("objectClass", "person"));
        filter.and(new EqualsFilter("physicalDeliveryOfficeName", branch));
        // safe: CWE-90
        return ldapTemplate.search("ou=Library", filter.encode(), (AttributesMapper<String>) attrs -> (String) attrs.get("cn").get());
    }
}
