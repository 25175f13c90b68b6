package com.rentwise.directory;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Staff and property-owner directory backed by the corporate LDAP
 * (leasing agents, maintenance crews, owners with portal access).
 */
@RestController
@RequestMapping("/api/directory")
public class StaffDirectoryController {

    private static final String PEOPLE_BASE = "ou=people,dc=rentwise,dc=com";
    private static final String OWNERS_BASE = "ou=owners,dc=rentwise,dc=com";
    private static final Set<String> DEPARTMENTS = Set.of("leasing", "maintenance", "accounts", "legal");

    private final String ldapUrl;
    private final String bindDn;
    private final String bindPassword;

    public StaffDirectoryController(@Value("${rentwise.ldap.url}") String ldapUrl,
                                    @Value("${rentwise.ldap.bind-dn}") String bindDn,
                                    @Value("${rentwise.ldap.bind-password}") String bindPassword) {
        this.ldapUrl = ldapUrl;
        this.bindDn = bindDn;
        this.bindPassword = bindPassword;
    }

    @GetMapping("/staff/{username}")
    public List<Map<String, String>> staffByUid(@PathVariable String username) throws NamingException {
        DirContext ctx = connect();
        try {
            String filter = "(&(objectClass=inetOrgPerson)(uid=" + username + "))";
            // vuln: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(PEOPLE_BASE, filter, subtree("cn", "mail", "telephoneNumber"));
            return toMaps(results);
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/staff/{username}/v2")
    public List<Map<String, String>> staffByUidV2(@PathVariable String username) throws NamingException {
        DirContext ctx = connect();
        try {
            // safe: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(PEOPLE_BASE, "(&(objectClass=inetOrgPerson)(uid={0}))", new Object[] {username}, subtree("cn", "mail", "telephoneNumber"));
            return toMaps(results);
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/staff/by-email")
    public List<Map<String, String>> staffByEmail(@RequestParam String email) throws NamingException {
        DirContext ctx = connect();
        try {
            // vuln: CWE-90
            return toMaps(ctx.search(PEOPLE_BASE, String.format("(&(objectClass=inetOrgPerson)(mail=%s))", email), subtree("cn", "uid")));
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/staff/by-email/v2")
    public List<Map<String, String>> staffByEmailV2(@RequestParam String email) throws NamingException {
        DirContext ctx = connect();
        try {
            // safe: CWE-90
            return toMaps(ctx.search(PEOPLE_BASE, String.format("(&(objectClass=inetOrgPerson)(mail=%s))", escapeFilterValue(email)), subtree("cn", "uid")));
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/staff/search")
    public List<Map<String, String>> searchStaff(@RequestParam("q") String q,
                                                 @RequestParam(value = "dept", required = false) String dept) throws NamingException {
        StringBuilder filter = new StringBuilder("(&(objectClass=inetOrgPerson)");
        filter.append("(|(cn=*").append(q).append("*)(sn=*").append(q).append("*))");
        if (dept != null) {
            filter.append("(departmentNumber=").append(dept).append(")");
        }
        filter.append(")");
        DirContext ctx = connect();
        try {
            // vuln: CWE-90
            return toMaps(ctx.search(PEOPLE_BASE, filter.toString(), subtree("cn", "mail", "title")));
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/staff/search/v2")
    public List<Map<String, String>> searchStaffV2(@RequestParam("q") String q,
                                                   @RequestParam(value = "dept", defaultValue = "leasing") String dept) throws NamingException {
        String filter = "(&(objectClass=inetOrgPerson)(|(cn=*{0}*)(sn=*{0}*))(departmentNumber={1}))";
        DirContext ctx = connect();
        try {
            // safe: CWE-90
            return toMaps(ctx.search(PEOPLE_BASE, filter, new Object[] {q, dept}, subtree("cn", "mail", "title")));
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/departments/{department}/members")
    public List<Map<String, String>> departmentMembers(@PathVariable String department) throws NamingException {
        String base = "ou=" + department + "," + PEOPLE_BASE;
        DirContext ctx = connect();
        try {
            // vuln: CWE-90
            return toMaps(ctx.search(base, "(objectClass=inetOrgPerson)", subtree("cn", "mail")));
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/departments/{department}/members/v2")
    public List<Map<String, String>> departmentMembersV2(@PathVariable String department) throws NamingException {
        if (!DEPARTMENTS.contains(department)) {
            throw new IllegalArgumentException("unknown department");
        }
        String base = "ou=" + department + "," + PEOPLE_BASE;
        DirContext ctx = connect();
        try {
            // safe: CWE-90
            return toMaps(ctx.search(base, "(objectClass=inetOrgPerson)", subtree("cn", "mail")));
        } finally {
            ctx.close();
        }
    }

    @PostMapping("/owners/verify")
    public Map<String, Object> verifyOwner(@RequestBody OwnerCredentials creds) throws NamingException {
        DirContext ctx = connect();
        try {
            String filter = "(&(objectClass=rwOwner)(ownerId=" + creds.getOwnerId() + ")(portalPin=" + creds.getPin() + "))";
            // vuln: CWE-90
            NamingEnumeration<SearchResult> found = ctx.search(OWNERS_BASE, filter, subtree("cn"));
            return Map.of("verified", found.hasMore());
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/owners/lookup")
    public List<Map<String, String>> ownerLookup(HttpServletRequest request,
                                                 @RequestHeader("X-Owner-Ref") String ownerRef) throws NamingException {
        DirContext ctx = connect();
        try {
            String filter = ownerFilter(ownerRef, request.getParameter("portfolio"));
            // vuln: CWE-90
            return toMaps(ctx.search(OWNERS_BASE, filter, subtree("cn", "mail", "rwPortfolio")));
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/owners/lookup/v2")
    public List<Map<String, String>> ownerLookupV2(@RequestHeader("X-Owner-Ref") String ownerRef) throws NamingException {
        long ownerNumber = Long.parseLong(ownerRef.trim());
        DirContext ctx = connect();
        try {
            // safe: CWE-90
            return toMaps(ctx.search(OWNERS_BASE, "(&(objectClass=rwOwner)(ownerId=" + ownerNumber + "))", subtree("cn", "mail", "rwPortfolio")));
        } finally {
            ctx.close();
        }
    }

    @PostMapping("/owners/verify/v2")
    public Map<String, Object> verifyOwnerV2(@RequestBody OwnerCredentials creds) throws NamingException {
        DirContext ctx = connect();
        try {
            Object[] args = {creds.getOwnerId(), creds.getPin()};
            // safe: CWE-90
            NamingEnumeration<SearchResult> found = ctx.search(OWNERS_BASE, "(&(objectClass=rwOwner)(ownerId={0})(portalPin={1}))", args, subtree("cn"));
            return Map.of("verified", found.hasMore());
        } finally {
            ctx.close();
        }
    }

    private static String ownerFilter(String ownerRef, String portfolio) {
        String f = "(&(objectClass=rwOwner)(ownerId=" + ownerRef + ")";
        if (portfolio != null) {
            f = f + "(rwPortfolio=" + portfolio + ")";
        }
        return f + ")";
    }

    /** RFC 4515 escaping of an assertion value. */
    static String escapeFilterValue(String value) {
        StringBuilder sb = new StringBuilder();
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

    private static List<Map<String, String>> toMaps(NamingEnumeration<SearchResult> results) throws NamingException {
        List<Map<String, String>> out = new ArrayList<>();
        while (results.hasMore()) {
            SearchResult r = results.next();
            Attributes attrs = r.getAttributes();
            Map<String, String> row = new java.util.HashMap<>();
            NamingEnumeration<String> ids = attrs.getIDs();
            while (ids.hasMore()) {
                String id = ids.next();
                row.put(id, String.valueOf(attrs.get(id).get()));
            }
            out.add(row);
        }
        return out;
    }

    public static class OwnerCredentials {
        private String ownerId;
        private String pin;

        public String getOwnerId() { return ownerId; }
        public String getPin() { return pin; }
    }
}
