package gov.riverton.clerk;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Hashtable;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.sql.DataSource;

import jakarta.annotation.Resource;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.owasp.encoder.Encode;

/**
 * Clerk back office: sign-in, case queue, case detail with resident-submitted notes.
 */
@WebServlet(name = "clerkBackOffice", urlPatterns = {"/clerk/*"})
public class ClerkBackOfficeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final String CLERK_BASE = "ou=people,dc=riverton,dc=gov";
    private static final String CLERK_GROUP_DN = "cn=clerks,ou=groups,dc=riverton,dc=gov";
    private static final Set<String> DESKS = Set.of("PERMITS", "LICENSING", "RECORDS", "PARKING", "UTILITY_BILLING");
    private static final Map<String, String> SORT_COLUMNS = Map.of(
            "filed", "c.filed_at",
            "status", "c.status",
            "applicant", "c.applicant_name",
            "ward", "c.ward");
    private static final Map<String, String> LANDING_PAGES = Map.of(
            "queue", "/clerk/cases",
            "permits", "/clerk/cases?desk=PERMITS",
            "reports", "/reports/dashboard");
    private static final Pattern USERNAME = Pattern.compile("^[a-z][a-z0-9.]{2,31}$");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Resource(name = "jdbc/riverton")
    private DataSource dataSource;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        try {
            switch (path) {
                case "/cases":
                    listCases(req, resp);
                    break;
                case "/case":
                    showCase(req, resp);
                    break;
                case "/search":
                    searchByApplicant(req, resp);
                    break;
                case "/desk":
                    chooseDesk(req, resp);
                    break;
                default:
                    resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (SQLException e) {
            throw new ServletException("Back office query failed", e);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        if ("/signin".equals(path)) {
            signIn(req, resp);
        } else if ("/signout".equals(path)) {
            signOut(req, resp);
        } else if ("/remember-desk".equals(path)) {
            rememberDesk(req, resp);
        } else {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    // ---------------------------------------------------------------- case queue

    private void listCases(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException {
        String desk = (String) req.getSession().getAttribute("clerk.desk");
        String sortKey = req.getParameter("sort");
        String direction = req.getParameter("dir");
        String column = SORT_COLUMNS.getOrDefault(sortKey == null ? "filed" : sortKey, "c.filed_at");
        String order = "asc".equalsIgnoreCase(direction) ? "ASC" : "DESC";
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        try (Connection conn = dataSource.getConnection();
             // safe: CWE-89
             PreparedStatement ps = conn.prepareStatement("SELECT c.case_id, c.case_number, c.applicant_name, c.status FROM cases c WHERE c.desk = ? ORDER BY " + column + " " + order)) {
            ps.setString(1, desk == null ? "PERMITS" : desk);
            try (ResultSet rs = ps.executeQuery()) {
                out.println("<table class=\"queue\">");
                while (rs.next()) {
                    out.println("<tr><td>" + rs.getLong("case_id") + "</td><td>" + Encode.forHtml(rs.getString("case_number")) + "</td><td>" + Encode.forHtml(rs.getString("applicant_name")) + "</td></tr>");
                }
                out.println("</table>");
            }
        }
    }

    private void searchByApplicant(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException {
        String name = req.getParameter("applicant");
        String status = req.getParameter("status");
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        if (name == null || name.isBlank()) {
            out.println("<p>Please enter an applicant name.</p>");
            return;
        }
        // vuln: CWE-79
        out.println("<input type=\"search\" name=\"applicant\" value=\"" + name.replace("<", "&lt;") + "\">");
        // safe: CWE-79
        out.println("<h2>Cases for " + Encode.forHtml(name) + "</h2>");
        String sql = "SELECT case_id, case_number, status FROM cases WHERE applicant_name LIKE '%" + name.trim() + "%'";
        if (status != null && !status.isEmpty()) {
            sql += " AND status = '" + status + "'";
        }
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement();
             // vuln: CWE-89
             ResultSet rs = st.executeQuery(sql + " ORDER BY filed_at DESC")) {
            while (rs.next()) {
                out.println("<div>" + Encode.forHtml(rs.getString("case_number")) + "</div>");
            }
        }
    }

    private void showCase(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException {
        String idParam = req.getParameter("id");
        long caseId;
        try {
            caseId = Long.parseLong(idParam);
        } catch (NumberFormatException e) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "Invalid case id");
            return;
        }
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            // safe: CWE-89
            try (ResultSet rs = st.executeQuery("SELECT author, body, created_at FROM case_notes WHERE case_id = " + caseId + " ORDER BY created_at")) {
                while (rs.next()) {
                    // Notes are typed by residents on the public portal and by clerks.
                    // vuln: CWE-79
                    out.println("<div class=\"note\"><span class=\"author\">" + Encode.forHtml(rs.getString("author")) + "</span>" + rs.getString("body") + "</div>");
                }
            }
            String attachment = req.getParameter("attachment");
            if (attachment != null) {
                // vuln: CWE-89
                try (ResultSet rs = st.executeQuery("SELECT file_name, size_bytes FROM case_attachments WHERE case_id = " + caseId + " AND file_name = '" + attachment + "'")) {
                    if (rs.next()) {
                        out.println("<p>" + Encode.forHtml(rs.getString("file_name")) + " (" + rs.getLong("size_bytes") + " bytes)</p>");
                    }
                }
            }
        }
        String tab = req.getParameter("tab");
        if (tab != null) {
            // vuln: CWE-79
            out.println("<script>window.riverton.openTab('" + tab + "');</script>");
        }
    }

    private void chooseDesk(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(false);
        if (session == null || session.getAttribute("clerk.username") == null) {
            resp.sendRedirect(req.getContextPath() + "/clerk/signin.html");
            return;
        }
        String desk = req.getParameter("desk");
        String normalized = desk == null ? "" : desk.trim().toUpperCase(Locale.ROOT);
        if (DESKS.contains(normalized)) {
            // safe: CWE-501
            session.setAttribute("clerk.desk", normalized);
        }
        String overflow = req.getParameter("overflowDesk");
        if (overflow != null && !overflow.isEmpty()) {
            // vuln: CWE-501
            session.setAttribute("clerk.overflowDesk", overflow.trim().toUpperCase(Locale.ROOT));
        }
        String landing = req.getParameter("landing");
        // safe: CWE-601
        resp.sendRedirect(req.getContextPath() + LANDING_PAGES.getOrDefault(landing, "/clerk/cases"));
    }

    // ---------------------------------------------------------------- sign-in

    private boolean isClerk(String username, String password) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, System.getenv("RIVERTON_LDAP_URL"));
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, System.getenv("RIVERTON_LDAP_BIND_DN"));
        env.put(Context.SECURITY_CREDENTIALS, System.getenv("RIVERTON_LDAP_BIND_PASSWORD"));
        DirContext svc = new InitialDirContext(env);
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
            controls.setReturningAttributes(new String[0]);
            // vuln: CWE-90
            NamingEnumeration<SearchResult> hits = svc.search(CLERK_BASE, "(&(uid=" + username + ")(memberOf=" + CLERK_GROUP_DN + "))", controls);
            if (!hits.hasMore()) {
                return false;
            }
            String userDn = hits.next().getNameInNamespace();
            Hashtable<String, String> userEnv = new Hashtable<>(env);
            userEnv.put(Context.SECURITY_PRINCIPAL, userDn);
            userEnv.put(Context.SECURITY_CREDENTIALS, password);
            new InitialDirContext(userEnv).close();
            return true;
        } finally {
            svc.close();
        }
    }

    private boolean isSupervisor(String username) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, System.getenv("RIVERTON_LDAP_URL"));
        env.put(Context.SECURITY_PRINCIPAL, System.getenv("RIVERTON_LDAP_BIND_DN"));
        env.put(Context.SECURITY_CREDENTIALS, System.getenv("RIVERTON_LDAP_BIND_PASSWORD"));
        DirContext svc = new InitialDirContext(env);
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
            // safe: CWE-90
            return svc.search(CLERK_BASE, "(&(uid={0})(memberOf={1}))", new Object[] {username, "cn=clerk-supervisors,ou=groups,dc=riverton,dc=gov"}, controls).hasMore();
        } finally {
            svc.close();
        }
    }

    private void signIn(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        String username = req.getParameter("username");
        String password = req.getParameter("password");
        String next = req.getParameter("next");
        if (username == null || password == null || password.isEmpty()) {
            resp.sendRedirect(req.getContextPath() + "/clerk/signin.html?error=missing");
            return;
        }
        boolean ok;
        boolean supervisor = false;
        try {
            ok = isClerk(username, password);
            if (ok && USERNAME.matcher(username).matches()) {
                supervisor = isSupervisor(username);
            }
        } catch (NamingException e) {
            throw new ServletException("Directory unavailable", e);
        }
        if (!ok) {
            resp.sendRedirect(req.getContextPath() + "/clerk/signin.html?error=denied");
            return;
        }
        req.getSession().invalidate();
        HttpSession session = req.getSession(true);
        session.setAttribute("clerk.username", username);
        session.setAttribute("clerk.supervisor", supervisor);
        // vuln: CWE-501
        session.setAttribute("clerk.displayName", req.getParameter("displayName"));
        String preferredDesk = req.getParameter("desk");
        if (preferredDesk != null && DESKS.contains(preferredDesk)) {
            // safe: CWE-501
            session.setAttribute("clerk.desk", preferredDesk);
        }

        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String csrf = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        session.setAttribute("clerk.csrf", csrf);
        Cookie csrfCookie = new Cookie("XSRF-TOKEN", csrf);
        csrfCookie.setPath("/clerk");
        csrfCookie.setSecure(true);
        // The SPA parts of the back office read this token from JavaScript.
        csrfCookie.setHttpOnly(false);
        resp.addCookie(csrfCookie);

        Cookie sso = new Cookie("RVT_CLERK_SSO", session.getId());
        sso.setPath("/");
        sso.setDomain("intranet.riverton.gov");
        sso.setSecure(true);
        // vuln: CWE-1004
        resp.addCookie(sso);

        if (next == null || next.isEmpty()) {
            resp.sendRedirect(req.getContextPath() + "/clerk/cases");
        } else if (next.startsWith("/") || next.startsWith("https://intranet.riverton.gov")) {
            // vuln: CWE-601
            resp.sendRedirect(next);
        } else {
            resp.sendRedirect(req.getContextPath() + "/clerk/cases");
        }
    }

    private void signOut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        Cookie cleared = new Cookie("RVT_CLERK_SSO", "");
        cleared.setPath("/");
        cleared.setDomain("intranet.riverton.gov");
        cleared.setMaxAge(0);
        cleared.setSecure(true);
        cleared.setHttpOnly(true);
        // safe: CWE-1004
        resp.addCookie(cleared);
        String after = req.getParameter("after");
        if (after != null) {
            try {
                URI uri = new URI(after);
                if ("https".equals(uri.getScheme()) && "www.riverton.gov".equals(uri.getHost()) && uri.getUserInfo() == null) {
                    // safe: CWE-601
                    resp.sendRedirect(uri.toASCIIString());
                    return;
                }
            } catch (URISyntaxException ignored) {
                // fall through to the default page
            }
        }
        String continueTo = req.getParameter("continue");
        if (continueTo != null && !continueTo.isBlank() && !continueTo.contains("://")) {
            // vuln: CWE-601
            resp.sendRedirect(continueTo.trim());
            return;
        }
        resp.sendRedirect(req.getContextPath() + "/clerk/signin.html");
    }

    private void rememberDesk(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(false);
        if (session == null || session.getAttribute("clerk.username") == null) {
            resp.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        byte[] raw = new byte[24];
        RANDOM.nextBytes(raw);
        String rememberToken = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        session.getServletContext().setAttribute("remember:" + rememberToken, session.getAttribute("clerk.username"));

        Cookie remember = new Cookie("RVT_CLERK_REMEMBER", rememberToken);
        remember.setPath("/clerk");
        remember.setMaxAge(60 * 60 * 24 * 30);
        remember.setHttpOnly(true);
        // vuln: CWE-614
        resp.addCookie(remember);

        Cookie deskCookie = new Cookie("RVT_DESK", String.valueOf(session.getAttribute("clerk.desk")));
        deskCookie.setPath("/clerk");
        deskCookie.setMaxAge(60 * 60 * 24 * 30);
        deskCookie.setHttpOnly(true);
        deskCookie.setSecure(true);
        // safe: CWE-614
        resp.addCookie(deskCookie);
        resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }
}
