package com.tixhub.directory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;

import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import org.springframework.ldap.core.LdapTemplate;
import org.springframework.ldap.filter.AndFilter;
import org.springframework.ldap.filter.EqualsFilter;
import org.springframework.ldap.query.LdapQueryBuilder;
import org.springframework.ldap.support.LdapEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Staff and promoter directory backed by the corporate LDAP; also handles the
 * door-staff PIN credentials that live outside the directory.
 */
@Service
public class StaffDirectoryService {

    private static final String STAFF_BASE = "ou=staff,dc=tixhub,dc=com";
    private static final String PROMOTER_BASE = "ou=promoters,dc=tixhub,dc=com";
    private static final Set<String> DEPARTMENTS = Set.of("boxoffice", "ops", "finance", "support", "security");

    private final LdapTemplate ldapTemplate;
    private final DirectoryConfig config;
    private final PinRepository pins;
    private final BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(12);

    public StaffDirectoryService(LdapTemplate ldapTemplate, DirectoryConfig config, PinRepository pins) {
        this.ldapTemplate = ldapTemplate;
        this.config = config;
        this.pins = pins;
    }

    private DirContext open() throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, config.getLdapUrl());
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, config.getBindDn());
        env.put(Context.SECURITY_CREDENTIALS, config.getBindPassword());
        return new InitialDirContext(env);
    }

    private static SearchControls subtree(String... attrs) {
        SearchControls sc = new SearchControls();
        sc.setSearchScope(SearchControls.SUBTREE_SCOPE);
        sc.setReturningAttributes(attrs);
        sc.setCountLimit(200);
        return sc;
    }

    public List<String> findStaffByName(String name) throws NamingException {
        DirContext ctx = open();
        List<String> out = new ArrayList<>();
        try {
            String filter = "(&(objectClass=inetOrgPerson)(cn=*" + name + "*))";
            // vuln: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(STAFF_BASE, filter, subtree("cn", "mail", "telephoneNumber"));
            while (results.hasMore()) {
                out.add(results.next().getNameInNamespace());
            }
        } finally {
            ctx.close();
        }
        return out;
    }

    public List<String> findStaffByEmail(String email) throws NamingException {
        DirContext ctx = open();
        List<String> out = new ArrayList<>();
        try {
            // safe: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(STAFF_BASE, "(&(objectClass=inetOrgPerson)(mail={0}))", new Object[] {email}, subtree("cn", "mail"));
            while (results.hasMore()) {
                out.add(results.next().getNameInNamespace());
            }
        } finally {
            ctx.close();
        }
        return out;
    }

    public boolean isInGroup(String uid, String group) throws NamingException {
        DirContext ctx = open();
        try {
            StringBuilder f = new StringBuilder("(&(objectClass=groupOfNames)(cn=");
            f.append(group).append(")(member=uid=").append(uid).append(',').append(STAFF_BASE).append("))");
            // vuln: CWE-90
            return ctx.search("ou=groups,dc=tixhub,dc=com", f.toString(), subtree("cn")).hasMore();
        } finally {
            ctx.close();
        }
    }

    public List<String> staffInDepartment(String department) throws NamingException {
        if (!DEPARTMENTS.contains(department)) {
            throw new IllegalArgumentException("unknown department");
        }
        DirContext ctx = open();
        List<String> out = new ArrayList<>();
        try {
            // safe: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(STAFF_BASE, "(&(objectClass=inetOrgPerson)(departmentNumber=" + department + "))", subtree("cn"));
            while (results.hasMore()) {
                out.add(results.next().getNameInNamespace());
            }
        } finally {
            ctx.close();
        }
        return out;
    }

    public Attributes promoterProfile(String promoterUid) throws NamingException {
        DirContext ctx = open();
        try {
            // vuln: CWE-90
            return ctx.getAttributes("uid=" + promoterUid + "," + PROMOTER_BASE, new String[] {"cn", "mail", "o", "payoutAccount"});
        } finally {
            ctx.close();
        }
    }

    public Attributes promoterProfileByRdn(String promoterUid) throws NamingException {
        DirContext ctx = open();
        try {
            LdapName dn = new LdapName(PROMOTER_BASE);
            dn.add(new Rdn("uid", promoterUid));
            // safe: CWE-90
            return ctx.getAttributes(dn, new String[] {"cn", "mail", "o", "payoutAccount"});
        } finally {
            ctx.close();
        }
    }

    public List<String> promotersByCompany(String company, String city) {
        String filter = String.format("(&(objectClass=tixPromoter)(o=%s)(l=%s))", company, city);
        // vuln: CWE-90
        return ldapTemplate.search("", filter, (Attributes attrs) -> (String) attrs.get("uid").get());
    }

    public List<String> promotersByCompanyEncoded(String company, String city) {
        String filter = "(&(objectClass=tixPromoter)(o=" + LdapEncoder.filterEncode(company) + ")(l=" + LdapEncoder.filterEncode(city) + "))";
        // safe: CWE-90
        return ldapTemplate.search("", filter, (Attributes attrs) -> (String) attrs.get("uid").get());
    }

    public List<String> promotersByManager(String managerUid) {
        AndFilter filter = new AndFilter();
        filter.and(new EqualsFilter("objectClass", "tixPromoter"));
        filter.and(new EqualsFilter("manager", "uid=" + managerUid + "," + STAFF_BASE));
        // safe: CWE-90
        return ldapTemplate.search(LdapQueryBuilder.query().base(PROMOTER_BASE).filter(filter), (Attributes attrs) -> (String) attrs.get("uid").get());
    }

    public boolean authenticateStaff(String uid, String password) {
        // vuln: CWE-90
        return ldapTemplate.authenticate(STAFF_BASE, "(uid=" + uid + ")", password);
    }

    // ---- door-staff PINs -------------------------------------------------------------

    public void setDoorPin(String staffId, String pin) throws NoSuchAlgorithmException {
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        byte[] digest = md.digest((staffId + ":" + pin).getBytes(StandardCharsets.UTF_8));
        pins.save(staffId, HexFormat.of().formatHex(digest));
    }

    public void setDoorPinV2(String staffId, String pin) {
        // safe: CWE-328
        String hash = bcrypt.encode(pin);
        pins.saveV2(staffId, hash);
    }

    public boolean checkLegacyPin(String staffId, String pin) throws NoSuchAlgorithmException {
        // vuln: CWE-328
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(pin.getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(digest, HexFormat.of().parseHex(pins.find(staffId)));
    }

    public String directoryCacheKey(String query) throws NoSuchAlgorithmException {
        // safe: CWE-328
        byte[] digest = MessageDigest.getInstance("MD5").digest(query.getBytes(StandardCharsets.UTF_8));
        return "dir:" + HexFormat.of().formatHex(digest);
    }

    public interface DirectoryConfig {
        String getLdapUrl();

        String getBindDn();

        String getBindPassword();
    }

    public interface PinRepository {
        void save(String staffId, String hexDigest);

        void saveV2(String staffId, String bcryptHash);

        String find(String staffId);
    }
}

@RestController
@RequestMapping("/admin/directory")
class StaffDirectoryController {

    private final StaffDirectoryService directory;

    StaffDirectoryController(StaffDirectoryService directory) {
        this.directory = directory;
    }

    @GetMapping("/staff")
    List<String> staff(@RequestParam(value = "name", required = false) String name,
                       @RequestParam(value = "email", required = false) String email,
                       @RequestParam(value = "dept", required = false) String dept) throws NamingException {
        if (email != null) {
            return directory.findStaffByEmail(email);
        }
        if (dept != null) {
            return directory.staffInDepartment(dept);
        }
        return directory.findStaffByName(name);
    }

    @GetMapping("/staff/{uid}/groups/{group}")
    boolean member(@PathVariable String uid, @PathVariable String group) throws NamingException {
        return directory.isInGroup(uid, group);
    }

    @GetMapping("/promoters/{uid}")
    Object promoter(@PathVariable String uid, @RequestParam(value = "strict", defaultValue = "false") boolean strict) throws NamingException {
        return strict ? directory.promoterProfileByRdn(uid) : directory.promoterProfile(uid);
    }

    @GetMapping("/promoters")
    List<String> promoters(@RequestParam("company") String company, @RequestParam("city") String city,
                           @RequestParam(value = "manager", required = false) String manager,
                           @RequestParam(value = "legacy", defaultValue = "false") boolean legacy) {
        if (manager != null) {
            return directory.promotersByManager(manager);
        }
        return legacy ? directory.promotersByCompany(company, city) : directory.promotersByCompanyEncoded(company, city);
    }

    @PostMapping("/login")
    boolean login(@RequestParam("uid") String uid, @RequestParam("password") String password) {
        return directory.authenticateStaff(uid, password);
    }

    @PostMapping("/door-pin")
    void doorPin(@RequestParam("staffId") String staffId, @RequestParam("pin") String pin) throws Exception {
        directory.setDoorPinV2(staffId, pin);
        directory.setDoorPin(staffId, pin);
    }
}
