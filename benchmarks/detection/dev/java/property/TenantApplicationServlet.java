package com.rentwise.applications;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.annotation.Resource;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import javax.sql.DataSource;

/**
 * Tenant rental applications: submission, status lookup and the screening queue
 * used by leasing agents.
 */
@WebServlet(urlPatterns = {"/applications/*"})
public class TenantApplicationServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final Set<String> SCREENING_STATUSES =
            Set.of("RECEIVED", "IN_REVIEW", "CREDIT_CHECK", "APPROVED", "DECLINED");

    @Resource(name = "jdbc/rentwise")
    private DataSource dataSource;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
        try {
            switch (path) {
                case "/status":
                    statusByEmail(request, response);
                    break;
                case "/status/v2":
                    statusByEmailV2(request, response);
                    break;
                case "/queue":
                    screeningQueue(request, response);
                    break;
                case "/queue/v2":
                    screeningQueueV2(request, response);
                    break;
                case "/detail":
                    applicationDetail(request, response);
                    break;
                case "/welcome":
                    welcomeBack(request, response);
                    break;
                case "/welcome/v2":
                    welcomeBackV2(request, response);
                    break;
                default:
                    response.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
        try {
            if (path.startsWith("/submit")) {
                submit(request, response, path.endsWith("/v2"));
            } else if (path.startsWith("/decision/")) {
                recordDecision(request, response);
            } else if (path.startsWith("/decision-v2/")) {
                recordDecisionV2(request, response);
            } else if (path.equals("/co-applicant")) {
                addCoApplicant(request, response);
            } else {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    private void statusByEmail(HttpServletRequest request, HttpServletResponse response)
            throws SQLException, IOException {
        String email = request.getParameter("email");
        StringBuilder sql = new StringBuilder("SELECT a.id, a.status, p.address FROM applications a ");
        sql.append("JOIN properties p ON p.id = a.property_id ");
        sql.append("WHERE a.applicant_email = '").append(email).append("' ORDER BY a.created_at DESC");
        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            // vuln: CWE-89
            ResultSet rs = stmt.executeQuery(sql.toString());
            writeStatusTable(rs, response);
        }
    }

    private void statusByEmailV2(HttpServletRequest request, HttpServletResponse response)
            throws SQLException, IOException {
        String email = request.getParameter("email");
        String sql = "SELECT a.id, a.status, p.address FROM applications a "
                + "JOIN properties p ON p.id = a.property_id "
                + "WHERE a.applicant_email = ? ORDER BY a.created_at DESC";
        try (Connection conn = dataSource.getConnection()) {
            // safe: CWE-89
            PreparedStatement ps = conn.prepareStatement(sql);
            ps.setString(1, email);
            writeStatusTable(ps.executeQuery(), response);
        }
    }

    private void screeningQueue(HttpServletRequest request, HttpServletResponse response)
            throws SQLException, IOException {
        String where = buildQueueFilter(request.getParameter("status"), request.getParameter("agent"));
        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            // vuln: CWE-89
            ResultSet rs = stmt.executeQuery("SELECT id, applicant_name, status FROM applications " + where);
            writeStatusTable(rs, response);
        }
    }

    private static String buildQueueFilter(String status, String agent) {
        String clause = "WHERE status = '" + (status == null ? "RECEIVED" : status) + "'";
        if (agent != null && !agent.isEmpty()) {
            clause += " AND assigned_agent = '" + agent + "'";
        }
        return clause;
    }

    private void screeningQueueV2(HttpServletRequest request, HttpServletResponse response)
            throws SQLException, IOException {
        String[] statuses = request.getParameterValues("status");
        List<String> wanted = new ArrayList<>();
        if (statuses != null) {
            for (String s : statuses) {
                wanted.add(s);
            }
        }
        if (wanted.isEmpty()) {
            wanted.add("RECEIVED");
        }
        String placeholders = String.join(",", java.util.Collections.nCopies(wanted.size(), "?"));
        try (Connection conn = dataSource.getConnection();
             // safe: CWE-89
             PreparedStatement ps = conn.prepareStatement("SELECT id, applicant_name, status FROM applications WHERE status IN (" + placeholders + ")")) {
            for (int i = 0; i < wanted.size(); i++) {
                ps.setString(i + 1, wanted.get(i));
            }
            writeStatusTable(ps.executeQuery(), response);
        }
    }

    private void applicationDetail(HttpServletRequest request, HttpServletResponse response)
            throws SQLException, IOException {
        int applicationId = Integer.parseInt(request.getParameter("id"));
        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            // safe: CWE-89
            ResultSet rs = stmt.executeQuery("SELECT id, applicant_name, status FROM applications WHERE id = " + applicationId);
            writeStatusTable(rs, response);
        }
    }

    private void recordDecision(HttpServletRequest request, HttpServletResponse response)
            throws SQLException, IOException {
        String applicationId = request.getPathInfo().substring("/decision/".length());
        String decision = request.getParameter("decision");
        String note = request.getParameter("note");
        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            // vuln: CWE-89
            stmt.executeUpdate("UPDATE applications SET status = '" + decision + "', agent_note = '" + note + "' WHERE id = " + applicationId);
        }
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }

    private void recordDecisionV2(HttpServletRequest request, HttpServletResponse response)
            throws SQLException, IOException {
        long applicationId = Long.parseLong(request.getPathInfo().substring("/decision-v2/".length()));
        String decision = request.getParameter("decision");
        if (!SCREENING_STATUSES.contains(decision)) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "unknown decision");
            return;
        }
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement(
                     "UPDATE applications SET status = ?, agent_note = ? WHERE id = ?")) {
            ps.setString(1, decision);
            ps.setString(2, request.getParameter("note"));
            ps.setLong(3, applicationId);
            // safe: CWE-89
            ps.executeUpdate();
        }
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }

    private void submit(HttpServletRequest request, HttpServletResponse response, boolean v2)
            throws SQLException, IOException {
        String fullName = request.getParameter("fullName");
        String email = request.getParameter("email");
        long propertyId = Long.parseLong(request.getParameter("propertyId"));
        long newId;
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement(
                     "INSERT INTO applications (applicant_name, applicant_email, property_id, status) VALUES (?, ?, ?, 'RECEIVED')",
                     Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, fullName);
            ps.setString(2, email);
            ps.setLong(3, propertyId);
            ps.executeUpdate();
            ResultSet keys = ps.getGeneratedKeys();
            keys.next();
            newId = keys.getLong(1);
        }

        HttpSession session = request.getSession(true);
        if (v2) {
            // safe: CWE-501
            session.setAttribute("applicationId", newId);
        } else {
            // vuln: CWE-501
            session.setAttribute("applicantEmail", request.getParameter("email"));
        }
        session.setAttribute("submittedAt", Instant.now());

        response.setContentType("text/html;charset=UTF-8");
        PrintWriter out = response.getWriter();
        if (v2) {
            // safe: CWE-79
            out.println("<p>Thanks " + escapeHtml(fullName) + ", your application #" + newId + " was received.</p>");
        } else {
            // vuln: CWE-79
            out.println("<p>Thanks " + fullName + ", your application #" + newId + " was received.</p>");
        }
    }

    private void addCoApplicant(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession();
        String relation = request.getParameter("relation");
        String coApplicant = request.getParameter("coApplicantName");
        // vuln: CWE-501
        session.setAttribute("coApplicant." + relation, coApplicant);

        Object count = session.getAttribute("coApplicantCount");
        int next = count == null ? 1 : ((Integer) count) + 1;
        // safe: CWE-501
        session.setAttribute("coApplicantCount", next);

        String mode = request.getParameter("screeningMode");
        String screeningMode = "joint".equals(mode) ? "joint" : "individual";
        // safe: CWE-501
        session.setAttribute("screeningMode", screeningMode);
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }

    private void welcomeBack(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String displayName = readCookie(request, "rw_display_name");
        response.setContentType("text/html;charset=UTF-8");
        PrintWriter out = response.getWriter();
        // vuln: CWE-79
        out.printf("<div class=\"welcome\">Welcome back, %s! Continue your application below.</div>%n", displayName);
        String error = request.getParameter("error");
        if (error != null) {
            // vuln: CWE-79
            out.write(errorBanner(error));
        }
    }

    private void welcomeBackV2(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String displayName = readCookie(request, "rw_display_name");
        response.setContentType("text/html;charset=UTF-8");
        PrintWriter out = response.getWriter();
        // safe: CWE-79
        out.printf("<div class=\"welcome\">Welcome back, %s! Continue your application below.</div>%n", escapeHtml(displayName));
        String error = request.getParameter("error");
        if (error != null) {
            // safe: CWE-79
            out.write(errorBanner(escapeHtml(error)));
        }
    }

    private static String errorBanner(String message) {
        return "<div class=\"alert alert-danger\" role=\"alert\">" + message + "</div>";
    }

    private static String readCookie(HttpServletRequest request, String name) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return "";
        }
        for (Cookie c : cookies) {
            if (name.equals(c.getName())) {
                return URLDecoder.decode(c.getValue(), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    private static String escapeHtml(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '&': sb.append("&amp;"); break;
                case '"': sb.append("&quot;"); break;
                case '\'': sb.append("&#x27;"); break;
                default: sb.append(c);
            }
        }
        return sb.toString();
    }

    private void writeStatusTable(ResultSet rs, HttpServletResponse response) throws SQLException, IOException {
        response.setContentType("text/html;charset=UTF-8");
        PrintWriter out = response.getWriter();
        out.println("<table class=\"applications\">");
        while (rs.next()) {
            out.println("<tr><td>" + rs.getLong(1) + "</td><td>" + escapeHtml(rs.getString(2))
                    + "</td><td>" + escapeHtml(rs.getString(3)) + "</td></tr>");
        }
        out.println("</table>");
    }
}
