package org.citylibrary.catalog;

import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.sql.DataSource;
import org.apache.commons.text.StringEscapeUtils;

/**
 * Public catalogue: keyword search, subject browsing and the item detail page.
 */
@WebServlet(urlPatterns = {"/catalogue/search", "/catalogue/browse", "/catalogue/item/*"})
public class CatalogSearchServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final Map<String, String> SORT_COLUMNS = Map.of(
            "title", "title_sort",
            "author", "author_sort",
            "year", "pub_year DESC",
            "added", "created_at DESC");

    private transient DataSource dataSource;

    @Override
    public void init() throws ServletException {
        try {
            dataSource = (DataSource) new InitialContext().lookup("java:comp/env/jdbc/catalogue");
        } catch (NamingException e) {
            throw new ServletException("catalogue datasource unavailable", e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        resp.setContentType("text/html;charset=UTF-8");
        try {
            switch (req.getServletPath()) {
                case "/catalogue/search":
                    search(req, resp);
                    break;
                case "/catalogue/browse":
                    browse(req, resp);
                    break;
                default:
                    itemPage(req, resp);
            }
        } catch (SQLException e) {
            throw new ServletException("catalogue query failed", e);
        }
    }

    private void search(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException {
        String q = req.getParameter("q");
        String format = req.getParameter("format");
        String sort = req.getParameter("sort");
        PrintWriter out = resp.getWriter();

        out.println("<html><head><title>Catalogue search</title></head><body>");
        // vuln: CWE-79
        out.println("<h2>Results for \"" + q + "\"</h2>");
        // safe: CWE-79
        out.println("<p class=\"crumb\">Catalogue &rsaquo; " + StringEscapeUtils.escapeHtml4(q) + "</p>");

        try (Connection conn = dataSource.getConnection()) {
            String sql = "SELECT id, title, author, pub_year FROM catalogue_items WHERE title ILIKE '%" + q + "%'";
            if (format != null && !format.isEmpty()) {
                sql = sql + " AND material_format = '" + format + "'";
            }
            Statement st = conn.createStatement();
            // vuln: CWE-89
            ResultSet rs = st.executeQuery(sql);
            renderRows(out, rs);

            String orderBy = SORT_COLUMNS.getOrDefault(sort, "title_sort");
            PreparedStatement ps = conn.prepareStatement(
                    "SELECT id, title, author, pub_year FROM catalogue_items WHERE author ILIKE ? ORDER BY " + orderBy + " LIMIT 50");
            ps.setString(1, "%" + q + "%");
            out.println("<h3>Matching authors</h3>");
            // safe: CWE-89
            renderRows(out, ps.executeQuery());
        }
        out.println("</body></html>");
    }

    private void browse(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException {
        String subject = req.getParameter("subject");
        if (subject == null && req.getCookies() != null) {
            for (Cookie c : req.getCookies()) {
                if ("lastSubject".equals(c.getName())) {
                    subject = c.getValue();
                }
            }
        }
        PrintWriter out = resp.getWriter();
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            StringBuilder sb = new StringBuilder("SELECT i.id, i.title, i.author, i.pub_year FROM catalogue_items i ")
                    .append("JOIN item_subjects s ON s.item_id = i.id ")
                    .append("WHERE s.heading = '").append(subject).append("' ")
                    .append("ORDER BY i.title_sort");
            // vuln: CWE-89
            ResultSet rs = st.executeQuery(sb.toString());
            renderRows(out, rs);
        }
        String referer = req.getHeader("Referer");
        if (referer != null) {
            // vuln: CWE-79
            out.printf("<a class=\"back\" href=\"%s\">Back to previous page</a>%n", referer);
        }
    }

    private void itemPage(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException {
        String raw = req.getPathInfo() == null ? "" : req.getPathInfo().substring(1);
        PrintWriter out = resp.getWriter();
        long itemId;
        try {
            itemId = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            resp.setStatus(HttpServletResponse.SC_NOT_FOUND);
            // vuln: CWE-79
            out.write("<p>No catalogue record with id " + raw + " was found.</p>");
            return;
        }
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            // safe: CWE-89
            ResultSet rs = st.executeQuery("SELECT id, title, author, pub_year, summary FROM catalogue_items WHERE id = " + itemId);
            if (!rs.next()) {
                resp.setStatus(HttpServletResponse.SC_NOT_FOUND);
                // safe: CWE-79
                out.write("<p>No catalogue record with id " + itemId + " was found.</p>");
                return;
            }
            String title = rs.getString("title");
            // safe: CWE-79
            out.write("<h1>" + StringEscapeUtils.escapeHtml4(title) + "</h1>");
        }
    }

    private void renderRows(PrintWriter out, ResultSet rs) throws SQLException {
        out.println("<ul class=\"results\">");
        while (rs.next()) {
            out.println("<li><a href=\"/catalogue/item/" + rs.getLong("id") + "\">"
                    + StringEscapeUtils.escapeHtml4(rs.getString("title")) + "</a> &mdash; "
                    + StringEscapeUtils.escapeHtml4(rs.getString("author")) + " (" + rs.getInt("pub_year") + ")</li>");
        }
        out.println("</ul>");
    }
}
