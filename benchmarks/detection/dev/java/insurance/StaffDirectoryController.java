package com.harbormutual.directory;

import static org.springframework.ldap.query.LdapQueryBuilder.query;

import java.io.IOException;
import java.io.PrintWriter;
import java.security.Principal;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ldap.core.AttributesMapper;
import org.springframework.ldap.core.LdapTemplate;
import org.springframework.ldap.core.support.LdapContextSource;
import org.springframework.ldap.filter.AndFilter;
import org.springframework.ldap.filter.EqualsFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

@RestController
@RequestMapping("/directory")
public class StaffDirectoryController {

    private static final Logger log = LoggerFactory.getLogger(StaffDirectoryController.class);
    private static final String STAFF_BASE = "ou=staff,dc=harbormutual,dc=com";
    private static final String GROUP_BASE = "ou=groups,dc=harbormutual,dc=com";

    private final LdapTemplate ldapTemplate;
    private final LdapContextSource contextSource;
    private final SsoTokenService sso;

    private static final AttributesMapper<Map<String, String>> STAFF_MAPPER = attrs -> Map.of(
            "uid", String.valueOf(attrs.get("uid").get()),
            "cn", String.valueOf(attrs.get("cn").get()),
            "title", attrs.get("title") == null ? "" : String.valueOf(attrs.get("title").get()));

    public StaffDirectoryController(LdapTemplate ldapTemplate, LdapContextSource contextSource, SsoTokenService sso) {
        this.ldapTemplate = ldapTemplate;
        this.contextSource = contextSource;
        this.sso = sso;
    }

    @GetMapping("/staff/by-uid")
    public List<String> byUid(@RequestParam("uid") String uid) throws NamingException {
        DirContext ctx = contextSource.getReadOnlyContext();
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
            controls.setReturningAttributes(new String[]{"cn", "mail", "telephoneNumber"});
            // vuln: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(STAFF_BASE, "(&(objectClass=inetOrgPerson)(uid=" + uid + "))", controls);
            return collectNames(results);
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/staff/by-uid/v2")
    public List<String> byUidV2(@RequestParam("uid") String uid) throws NamingException {
        DirContext ctx = contextSource.getReadOnlyContext();
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
            controls.setReturningAttributes(new String[]{"cn", "mail", "telephoneNumber"});
            // safe: CWE-90
            NamingEnumeration<SearchResult> results = ctx.search(STAFF_BASE, "(&(objectClass=inetOrgPerson)(uid={0}))", new Object[]{uid}, controls);
            return collectNames(results);
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/staff/search")
    public List<Map<String, String>> searchByName(@RequestParam("name") String name) {
        String term = name.trim().replace("*", "\\2a");
        String filter = "(&(objectClass=inetOrgPerson)(|(cn=*" + term + "*)(sn=" + term + "*)))";
        // vuln: CWE-90
        return ldapTemplate.search(STAFF_BASE, filter, STAFF_MAPPER);
    }

    @GetMapping("/staff/search/v2")
    public List<Map<String, String>> searchByNameV2(@RequestParam("name") String name) {
        String term = name.trim();
        // safe: CWE-90
        return ldapTemplate.search(query().base(STAFF_BASE).where("objectClass").is("inetOrgPerson").and("cn").whitespaceWildcardsLike(term), STAFF_MAPPER);
    }

    @GetMapping("/groups/is-member")
    public Map<String, Object> isMember(@RequestParam("uid") String uid, @RequestParam("group") String group) throws NamingException {
        String filter = MessageFormat.format("(&(objectClass=groupOfNames)(cn={1})(member=uid={0},{2}))", uid, group, STAFF_BASE);
        DirContext ctx = contextSource.getReadOnlyContext();
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.ONELEVEL_SCOPE);
            // vuln: CWE-90
            NamingEnumeration<SearchResult> hits = ctx.search(GROUP_BASE, filter, controls);
            return Map.of("uid", uid, "group", group, "member", hits.hasMore());
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/groups/is-member/v2")
    public Map<String, Object> isMemberV2(@RequestParam("uid") String uid, @RequestParam("group") String group) throws NamingException {
        DirContext ctx = contextSource.getReadOnlyContext();
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.ONELEVEL_SCOPE);
            String memberDn = "uid=" + javax.naming.ldap.Rdn.escapeValue(uid) + "," + STAFF_BASE;
            // safe: CWE-90
            NamingEnumeration<SearchResult> hits = ctx.search(GROUP_BASE, "(&(objectClass=groupOfNames)(cn={0})(member={1}))", new Object[]{group, memberDn}, controls);
            return Map.of("uid", uid, "group", group, "member", hits.hasMore());
        } finally {
            ctx.close();
        }
    }

    @GetMapping("/staff/by-mail")
    public List<Map<String, String>> byMail(HttpServletRequest request) {
        String mail = request.getParameter("mail");
        String dept = request.getParameter("dept");
        StringBuilder filter = new StringBuilder("(&(objectClass=inetOrgPerson)");
        filter.append("(mail=").append(mail).append(")");
        if (dept != null) {
            filter.append("(departmentNumber=").append(dept).append(")");
        }
        filter.append(")");
        // vuln: CWE-90
        return ldapTemplate.search(STAFF_BASE, filter.toString(), STAFF_MAPPER);
    }

    @GetMapping("/staff/by-mail/v2")
    public List<Map<String, String>> byMailV2(HttpServletRequest request) {
        AndFilter filter = new AndFilter();
        filter.and(new EqualsFilter("objectClass", "inetOrgPerson"));
        filter.and(new EqualsFilter("mail", request.getParameter("mail")));
        if (request.getParameter("dept") != null) {
            filter.and(new EqualsFilter("departmentNumber", request.getParameter("dept")));
        }
        // safe: CWE-90
        return ldapTemplate.search(STAFF_BASE, filter.encode(), STAFF_MAPPER);
    }

    @GetMapping(value = "/staff/card", produces = "text/html")
    public void staffCard(@RequestParam("q") String q, HttpServletResponse response) throws IOException {
        List<Map<String, String>> hits = searchByNameV2(q);
        response.setContentType("text/html;charset=UTF-8");
        PrintWriter out = response.getWriter();
        if (hits.isEmpty()) {
            // vuln: CWE-79
            out.println("<div class=\"empty\">No colleagues found matching <b>" + q + "</b></div>");
            return;
        }
        out.println("<ul class=\"staff\">");
        for (Map<String, String> hit : hits) {
            out.println("<li>" + HtmlUtils.htmlEscape(hit.get("cn")) + "</li>");
        }
        out.println("</ul>");
    }

    @GetMapping(value = "/staff/card/v2", produces = "text/html")
    public void staffCardV2(@RequestParam("q") String q, HttpServletResponse response) throws IOException {
        List<Map<String, String>> hits = searchByNameV2(q);
        response.setContentType("text/html;charset=UTF-8");
        PrintWriter out = response.getWriter();
        if (hits.isEmpty()) {
            // safe: CWE-79
            out.println("<div class=\"empty\">No colleagues found matching <b>" + HtmlUtils.htmlEscape(q) + "</b></div>");
            return;
        }
        out.println("<ul class=\"staff\">");
        for (Map<String, String> hit : hits) {
            out.println("<li>" + HtmlUtils.htmlEscape(hit.get("cn")) + "</li>");
        }
        out.println("</ul>");
    }

    @GetMapping(value = "/departments/banner", produces = "text/html")
    @ResponseBody
    public String departmentBanner(@RequestParam(value = "dept", defaultValue = "Claims") String dept, @RequestParam(value = "msg", required = false) String msg) {
        String notice = msg == null ? "" : "<p class=\"notice\">" + msg + "</p>";
        // vuln: CWE-79
        return "<header><h2>" + Encode.forHtml(dept) + " directory</h2>" + notice + "</header>";
    }

    @GetMapping(value = "/departments/banner/v2", produces = "text/html")
    @ResponseBody
    public String departmentBannerV2(@RequestParam(value = "dept", defaultValue = "Claims") String dept, @RequestParam(value = "msg", required = false) String msg) {
        String notice = msg == null ? "" : "<p class=\"notice\">" + Encode.forHtml(msg) + "</p>";
        // safe: CWE-79
        return "<header><h2>" + Encode.forHtml(dept) + " directory</h2>" + notice + "</header>";
    }

    @PostMapping("/session/impersonate")
    public Map<String, String> impersonate(HttpServletRequest request, Principal principal) {
        String target = request.getParameter("as");
        log.warn("{} started viewing directory as {}", principal.getName(), target);
        // vuln: CWE-501
        request.getSession().setAttribute("effectiveStaffUid", target);
        return Map.of("viewingAs", target);
    }

    @PostMapping("/session/role-hint")
    public Map<String, String> roleHint(HttpServletRequest request) {
        HttpSession session = request.getSession();
        String role = request.getHeader("X-Directory-Role");
        // vuln: CWE-501
        session.setAttribute("directoryRole", role == null ? "viewer" : role);
        return Map.of("role", String.valueOf(session.getAttribute("directoryRole")));
    }

    @PostMapping("/session/bind")
    public Map<String, Object> bindSession(Principal principal, HttpServletRequest request, HttpServletResponse response) {
        List<String> groups = ldapTemplate.search(query().base(GROUP_BASE).where("member").is("uid=" + javax.naming.ldap.Rdn.escapeValue(principal.getName()) + "," + STAFF_BASE), (AttributesMapper<String>) attrs -> String.valueOf(attrs.get("cn").get()));
        HttpSession session = request.getSession(true);
        // safe: CWE-501
        session.setAttribute("staffGroups", new ArrayList<>(groups));
        String token = sso.issue(principal.getName(), groups);
        Cookie ssoCookie = new Cookie("HM_DIR_SSO", token);
        ssoCookie.setPath("/");
        ssoCookie.setSecure(true);
        // vuln: CWE-1004
        response.addCookie(ssoCookie);
        return Map.of("groups", groups);
    }

    @PostMapping("/session/bind/v2")
    public Map<String, Object> bindSessionV2(Principal principal, HttpServletRequest request, HttpServletResponse response) {
        String staffDn = "uid=" + javax.naming.ldap.Rdn.escapeValue(principal.getName()) + "," + STAFF_BASE;
        // safe: CWE-501
        request.getSession(true).setAttribute("staffDn", staffDn);
        String token = sso.issue(principal.getName(), List.of());
        Cookie ssoCookie = new Cookie("HM_DIR_SSO", token);
        ssoCookie.setPath("/");
        ssoCookie.setSecure(true);
        ssoCookie.setHttpOnly(true);
        // safe: CWE-1004
        response.addCookie(ssoCookie);
        return Map.of("dn", staffDn);
    }

    @PostMapping("/session/kiosk")
    public void kioskSession(Principal principal, HttpServletResponse response) {
        String sid = sso.issueKioskSession(principal.getName());
        // vuln: CWE-614
        response.setHeader("Set-Cookie", "HM_DIR_SID=" + sid + "; Path=/directory; HttpOnly; SameSite=Lax");
    }

    @PostMapping("/session/kiosk/v2")
    public void kioskSessionV2(Principal principal, HttpServletResponse response) {
        String sid = sso.issueKioskSession(principal.getName());
        // safe: CWE-614
        response.setHeader("Set-Cookie", "HM_DIR_SID=" + sid + "; Path=/directory; Secure; HttpOnly; SameSite=Lax");
    }

    private static List<String> collectNames(NamingEnumeration<SearchResult> results) throws NamingException {
        List<String> names = new ArrayList<>();
        while (results.hasMore()) {
            Attributes attrs = results.next().getAttributes();
            names.add(String.valueOf(attrs.get("cn").get()));
        }
        return names;
    }

    public interface SsoTokenService {
        String issue(String uid, List<String> groups);
        String issueKioskSession(String uid);
    }
}
