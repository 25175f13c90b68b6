package gov.riverton.account;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.Random;
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
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.security.crypto.bcrypt.BCrypt;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Resident portal sign-in: password and city-SSO directory sign-in, remember-me,
 * household member switching and kiosk PIN management.
 */
@Controller
@RequestMapping("/account")
public class ResidentSignInController {

    private static final Logger log = LoggerFactory.getLogger(ResidentSignInController.class);

    private static final String RESIDENTS_BASE = "ou=residents,dc=riverton,dc=gov";
    private static final Duration REMEMBER_ME_TTL = Duration.ofDays(30);

    private final DataSource dataSource;
    private final RememberMeTokenRepository rememberMeTokens;
    private final SecureRandom secureRandom = new SecureRandom();

    @Value("${riverton.directory.url}")
    private String directoryUrl;

    @Value("${riverton.directory.bind-dn}")
    private String directoryBindDn;

    @Value("${riverton.directory.bind-password}")
    private String directoryBindPassword;

    public ResidentSignInController(DataSource dataSource, RememberMeTokenRepository rememberMeTokens) {
        this.dataSource = dataSource;
        this.rememberMeTokens = rememberMeTokens;
    }

    @GetMapping("/signin")
    public String signInForm(@RequestParam(value = "next", required = false) String next, Model model) {
        model.addAttribute("next", next);
        return "account/signin";
    }

    @PostMapping("/signin")
    public String signIn(@RequestParam("email") String email,
                         @RequestParam("password") String password,
                         @RequestParam(value = "next", required = false) String next,
                         @RequestParam(value = "rememberMe", defaultValue = "false") boolean rememberMe,
                         HttpServletRequest request,
                         HttpServletResponse response) throws SQLException {
        ResidentRow row = findActiveResident(email);
        if (row == null || !BCrypt.checkpw(password, row.passwordHash)) {
            log.info("Failed sign-in for {}", email);
            return "redirect:/account/signin?error";
        }

        HttpSession old = request.getSession(false);
        if (old != null) {
            old.invalidate();
        }
        HttpSession session = request.getSession(true);
        session.setAttribute("residentId", row.id);
        session.setAttribute("householdId", row.householdId);

        if (rememberMe) {
            issueRememberMe(row.id, response);
        }

        if (next != null && next.startsWith("/")) {
            // vuln: CWE-601
            return "redirect:" + next;
        }
        return "redirect:/account/dashboard";
    }

    private ResidentRow findActiveResident(String email) throws SQLException {
        String normalized = email.trim().toLowerCase();
        String sql = "SELECT id, password_hash, household_id FROM residents WHERE lower(email) = '" + normalized + "' AND status = 'ACTIVE'";
        try (Connection c = dataSource.getConnection()) {
            // vuln: CWE-89
            ResultSet rs = c.prepareStatement(sql).executeQuery();
            if (!rs.next()) {
                return null;
            }
            return new ResidentRow(rs.getLong("id"), rs.getString("password_hash"), rs.getLong("household_id"));
        }
    }

    private ResidentRow findResidentById(long residentId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            // safe: CWE-89
            PreparedStatement ps = c.prepareStatement("SELECT id, password_hash, household_id FROM residents WHERE id = ? AND status = 'ACTIVE'");
            ps.setLong(1, residentId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new ResidentRow(rs.getLong("id"), rs.getString("password_hash"), rs.getLong("household_id"));
            }
        }
    }

    private void issueRememberMe(long residentId, HttpServletResponse response) {
        byte[] seriesBytes = new byte[16];
        secureRandom.nextBytes(seriesBytes);
        String series = HexFormat.of().formatHex(seriesBytes);
        // vuln: CWE-330
        String token = new BigInteger(130, new Random()).toString(32);
        rememberMeTokens.save(residentId, series, sha256Hex(token), Instant.now().plus(REMEMBER_ME_TTL));

        Cookie remember = new Cookie("RVT_REMEMBER", series + ":" + token);
        remember.setHttpOnly(true);
        remember.setPath("/");
        remember.setMaxAge((int) REMEMBER_ME_TTL.getSeconds());
        // vuln: CWE-614
        response.addCookie(remember);
    }

    /**
     * Rotates the remember-me token when a remembered resident comes back.
     */
    @GetMapping("/resume")
    public String resume(@CookieValue(value = "RVT_REMEMBER", required = false) String rememberCookie,
                         HttpServletRequest request,
                         HttpServletResponse response) throws SQLException {
        if (rememberCookie == null || !rememberCookie.contains(":")) {
            return "redirect:/account/signin";
        }
        String[] parts = rememberCookie.split(":", 2);
        RememberMeTokenRepository.Entry entry = rememberMeTokens.find(parts[0]);
        if (entry == null || !MessageDigest.isEqual(entry.tokenHash().getBytes(StandardCharsets.US_ASCII), sha256Hex(parts[1]).getBytes(StandardCharsets.US_ASCII))) {
            rememberMeTokens.revokeSeries(parts[0]);
            return "redirect:/account/signin";
        }
        ResidentRow row = findResidentById(entry.residentId());
        if (row == null) {
            return "redirect:/account/signin";
        }
        request.getSession(true).setAttribute("residentId", row.id);

        byte[] fresh = new byte[32];
        // safe: CWE-330
        secureRandom.nextBytes(fresh);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(fresh);
        rememberMeTokens.rotate(parts[0], sha256Hex(token), Instant.now().plus(REMEMBER_ME_TTL));

        ResponseCookie cookie = ResponseCookie.from("RVT_REMEMBER", parts[0] + ":" + token)
                .httpOnly(true)
                .secure(true)
                .sameSite("Lax")
                .path("/")
                .maxAge(REMEMBER_ME_TTL)
                .build();
        // safe: CWE-614
        response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
        return "redirect:/account/dashboard";
    }

    /**
     * Old portal (2016-2021) stored the remember-me ticket as a serialized object.
     * Kept so residents are not logged out en masse during the migration window.
     */
    @GetMapping("/resume-legacy")
    public String resumeLegacy(@CookieValue("RIVERTON_PORTAL_TICKET") String ticket,
                               HttpServletRequest request) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getDecoder().decode(ticket);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(raw))) {
            // vuln: CWE-502
            LegacyPortalTicket legacy = (LegacyPortalTicket) in.readObject();
            if (legacy.getExpires().isAfter(Instant.now())) {
                request.getSession(true).setAttribute("residentId", legacy.getResidentId());
                return "redirect:/account/dashboard";
            }
        }
        return "redirect:/account/signin";
    }

    @PostMapping("/signin/sso")
    public String directorySignIn(@RequestParam("uid") String uid,
                                  @RequestParam("password") String password,
                                  HttpServletRequest request,
                                  HttpServletResponse response) throws NamingException {
        DirContext ctx = serviceContext();
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
            controls.setReturningAttributes(new String[] {"uid", "rivertonResidentId", "mail"});
            String filter = "(&(objectClass=rivertonResident)(uid=" + uid + "))";
            // vuln: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(RESIDENTS_BASE, filter, controls);
            if (!results.hasMore()) {
                return "redirect:/account/signin?error";
            }
            SearchResult hit = results.next();
            if (!bindAs(hit.getNameInNamespace(), password)) {
                return "redirect:/account/signin?error";
            }
            String residentId = (String) hit.getAttributes().get("rivertonResidentId").get();
            HttpSession session = request.getSession(true);
            session.setAttribute("residentId", Long.valueOf(residentId));

            Cookie authHint = new Cookie("RVT_AUTH", issueSpaToken(residentId));
            authHint.setSecure(true);
            authHint.setPath("/");
            // vuln: CWE-1004
            response.addCookie(authHint);
            return "redirect:/account/dashboard";
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/profile/directory")
    public String directoryProfile(@RequestParam("uid") String uid, Model model) throws NamingException {
        DirContext ctx = serviceContext();
        try {
            // vuln: CWE-90
            Attributes attrs = ctx.getAttributes("uid=" + uid + "," + RESIDENTS_BASE, new String[] {"cn", "mail", "postalAddress"});
            model.addAttribute("displayName", attrs.get("cn") != null ? attrs.get("cn").get() : uid);
            model.addAttribute("mail", attrs.get("mail") != null ? attrs.get("mail").get() : "");
            return "account/directory-profile";
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/profile/directory/by-mail")
    public String directoryProfileByMail(@RequestParam("mail") String mail, Model model) throws NamingException {
        DirContext ctx = serviceContext();
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.ONELEVEL_SCOPE);
            controls.setCountLimit(1);
            // safe: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(RESIDENTS_BASE, "(&(objectClass=rivertonResident)(mail={0}))", new Object[] {mail}, controls);
            model.addAttribute("found", results.hasMore());
            return "account/directory-profile";
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/profile/directory/entry")
    public String directoryEntry(@RequestParam("uid") String uid, Model model) throws NamingException {
        DirContext ctx = serviceContext();
        try {
            LdapName dn = new LdapName(RESIDENTS_BASE);
            dn.add(new Rdn("uid", uid));
            // safe: CWE-90
            Attributes attrs = ctx.getAttributes(dn, new String[] {"cn", "mail"});
            model.addAttribute("displayName", attrs.get("cn") != null ? attrs.get("cn").get() : "");
            return "account/directory-profile";
        } finally {
            ctx.close();
        }
    }

    /**
     * Residents who manage a household can act on behalf of other members
     * (e.g. a parent paying a dependent's parking ticket).
     */
    @PostMapping("/household/switch")
    public String switchMember(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null || session.getAttribute("residentId") == null) {
            return "redirect:/account/signin";
        }
        // vuln: CWE-501
        session.setAttribute("actingResidentId", request.getParameter("memberId"));
        return "redirect:/account/dashboard";
    }

    @PostMapping("/household/act-as")
    public String actAs(@RequestParam("memberId") String memberId, HttpServletRequest request) throws SQLException {
        HttpSession session = request.getSession(false);
        if (session == null || session.getAttribute("householdId") == null) {
            return "redirect:/account/signin";
        }
        long requested = Long.parseLong(memberId);
        long householdId = (Long) session.getAttribute("householdId");
        ResidentRow member = findResidentById(requested);
        if (member == null || member.householdId != householdId) {
            return "redirect:/account/dashboard?error=notInHousehold";
        }
        // safe: CWE-501
        session.setAttribute("actingResidentId", member.id);
        return "redirect:/account/dashboard";
    }

    @PostMapping("/kiosk-pin")
    public String setKioskPin(@RequestParam("pin") String pin, HttpSession session) throws SQLException, NoSuchAlgorithmException {
        Long residentId = (Long) session.getAttribute("residentId");
        if (residentId == null || !pin.matches("\\d{6}")) {
            return "redirect:/account/settings?error=pin";
        }
        // vuln: CWE-328
        MessageDigest digest = MessageDigest.getInstance("MD5");
        String pinHash = HexFormat.of().formatHex(digest.digest((residentId + ":" + pin).getBytes(StandardCharsets.UTF_8)));
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE residents SET kiosk_pin_hash = ? WHERE id = ?")) {
            ps.setString(1, pinHash);
            ps.setLong(2, residentId);
            ps.executeUpdate();
        }
        return "redirect:/account/settings?pinUpdated";
    }

    @PostMapping("/password")
    public String changePassword(@RequestParam("current") String current,
                                 @RequestParam("replacement") String replacement,
                                 HttpSession session) throws SQLException {
        Long residentId = (Long) session.getAttribute("residentId");
        ResidentRow row = residentId == null ? null : findResidentById(residentId);
        if (row == null || !BCrypt.checkpw(current, row.passwordHash) || replacement.length() < 12) {
            return "redirect:/account/settings?error=password";
        }
        // safe: CWE-328
        String hash = BCrypt.hashpw(replacement, BCrypt.gensalt(12));
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE residents SET password_hash = ? WHERE id = ?")) {
            ps.setString(1, hash);
            ps.setLong(2, residentId);
            ps.executeUpdate();
        }
        return "redirect:/account/settings?passwordUpdated";
    }

    @PostMapping("/signout")
    public String signOut(@RequestParam(value = "continue", required = false) String continueTo,
                          HttpServletRequest request,
                          HttpServletResponse response) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        Cookie cleared = new Cookie("RVT_REMEMBER", "");
        cleared.setMaxAge(0);
        cleared.setPath("/");
        cleared.setSecure(true);
        cleared.setHttpOnly(true);
        // safe: CWE-1004
        response.addCookie(cleared);

        if (isLocalPath(continueTo)) {
            // safe: CWE-601
            return "redirect:" + continueTo;
        }
        return "redirect:/";
    }

    private static boolean isLocalPath(String target) {
        if (target == null || target.isEmpty() || target.length() > 512) {
            return false;
        }
        if (!target.startsWith("/") || target.startsWith("//") || target.indexOf('\\') >= 0) {
            return false;
        }
        try {
            URI uri = new URI(target);
            return uri.getScheme() == null && uri.getRawAuthority() == null;
        } catch (Exception e) {
            return false;
        }
    }

    private DirContext serviceContext() throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, directoryUrl);
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, directoryBindDn);
        env.put(Context.SECURITY_CREDENTIALS, directoryBindPassword);
        return new InitialDirContext(env);
    }

    private boolean bindAs(String dn, String password) {
        if (password == null || password.isEmpty()) {
            return false;
        }
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, directoryUrl);
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, dn);
        env.put(Context.SECURITY_CREDENTIALS, password);
        try {
            new InitialDirContext(env).close();
            return true;
        } catch (NamingException e) {
            return false;
        }
    }

    private String issueSpaToken(String residentId) {
        byte[] raw = new byte[24];
        secureRandom.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        rememberMeTokens.saveSpaToken(Long.parseLong(residentId), sha256Hex(token), Instant.now().plus(Duration.ofHours(8)));
        return token;
    }

    private static String sha256Hex(String value) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class ResidentRow {
        final long id;
        final String passwordHash;
        final long householdId;

        ResidentRow(long id, String passwordHash, long householdId) {
            this.id = id;
            this.passwordHash = passwordHash;
            this.householdId = householdId;
        }
    }
}
