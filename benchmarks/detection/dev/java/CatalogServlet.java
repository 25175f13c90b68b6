package com.example.shop.catalog;

import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.sql.DataSource;
import org.owasp.encoder.Encode;

/** Product listing and search pages (plain Servlet + JDBC). */
@WebServlet("/catalog/*")
public class CatalogServlet extends HttpServlet {

    private static final Map<String, String> SORTABLE = Map.of("name", "name", "price", "price", "newest", "created_at DESC");

    private DataSource dataSource;

    @Override
    public void init() {
        dataSource = (DataSource) getServletContext().getAttribute("dataSource");
    }

    private void writeRows(ResultSet rs, HttpServletResponse response) throws SQLException, IOException {
        response.setContentType("application/json");
        PrintWriter out = response.getWriter();
        out.print("[");
        while (rs.next()) {
            out.print("{\"id\":" + rs.getLong("id") + "},");
        }
        out.print("]");
    }

    protected void listByCategory(HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException {
        String category = request.getParameter("category");
        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            // vuln: CWE-89
            ResultSet rs = stmt.executeQuery("SELECT id, name, price FROM products WHERE category = '" + category + "'");
            writeRows(rs, response);
        }
    }

    protected void search(HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException {
        String term = request.getParameter("q");
        String sql = String.format("SELECT id, name FROM products WHERE name LIKE '%%%s%%'", term);
        try (Connection conn = dataSource.getConnection()) {
            // vuln: CWE-89
            PreparedStatement ps = conn.prepareStatement(sql);
            writeRows(ps.executeQuery(), response);
        }
    }

    private ResultSet productsByBrand(Connection conn, String brand) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT id, name FROM products WHERE brand = '");
        sql.append(brand).append("' AND active = 1");
        // vuln: CWE-89
        return conn.createStatement().executeQuery(sql.toString());
    }

    protected void sorted(HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException {
        String order = request.getHeader("X-Sort");
        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            // vuln: CWE-89
            stmt.execute("SELECT id, name, price FROM products ORDER BY " + order);
            writeRows(stmt.getResultSet(), response);
        }
    }

    protected void listByCategorySafe(HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException {
        String category = request.getParameter("category");
        try (Connection conn = dataSource.getConnection();
             // safe: CWE-89
             PreparedStatement ps = conn.prepareStatement("SELECT id, name, price FROM products WHERE category = ?")) {
            ps.setString(1, category);
            writeRows(ps.executeQuery(), response);
        }
    }

    protected void byId(HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException {
        long id = Long.parseLong(request.getParameter("id"));
        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            // safe: CWE-89
            ResultSet rs = stmt.executeQuery("SELECT id, name, price FROM products WHERE id = " + id);
            writeRows(rs, response);
        }
    }

    protected void sortedSafe(HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException {
        String order = SORTABLE.getOrDefault(request.getParameter("order"), "name");
        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            // safe: CWE-89
            ResultSet rs = stmt.executeQuery("SELECT id, name, price FROM products ORDER BY " + order);
            writeRows(rs, response);
        }
    }

    protected void countInStock(HttpServletResponse response) throws IOException, SQLException {
        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            // safe: CWE-89
            ResultSet rs = stmt.executeQuery("SELECT COUNT(*) AS id FROM products WHERE stock > 0");
            writeRows(rs, response);
        }
    }

    protected void hello(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        response.setContentType("text/html");
        // vuln: CWE-79
        response.getWriter().println("<h1>Welcome back, " + name + "!</h1>");
    }

    protected void searchPage(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String q = request.getParameter("q");
        PrintWriter out = response.getWriter();
        response.setContentType("text/html;charset=UTF-8");
        // vuln: CWE-79
        out.printf("<p>No results for <b>%s</b></p>", q);
    }

    protected void notFound(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(404);
        // vuln: CWE-79
        response.getWriter().write("<p>Nothing lives at " + request.getPathInfo() + "</p>");
    }

    protected void greetFromCookie(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String displayName = "guest";
        if (request.getCookies() != null) {
            for (javax.servlet.http.Cookie c : request.getCookies()) {
                if ("display_name".equals(c.getName())) {
                    displayName = c.getValue();
                }
            }
        }
        response.setContentType("text/html");
        // vuln: CWE-79
        response.getWriter().print("<span class=\"user\">" + displayName + "</span>");
    }

    protected void helloSafe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        response.setContentType("text/html");
        // safe: CWE-79
        response.getWriter().println("<h1>Welcome back, " + Encode.forHtml(name) + "!</h1>");
    }

    protected void searchPageSafe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String q = org.springframework.web.util.HtmlUtils.htmlEscape(request.getParameter("q"));
        response.setContentType("text/html;charset=UTF-8");
        // safe: CWE-79
        response.getWriter().printf("<p>No results for <b>%s</b></p>", q);
    }

    protected void searchApi(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        String q = request.getParameter("q");
        // safe: CWE-79
        response.getWriter().write(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("query", q)));
    }

    protected void notFoundSafe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(404);
        response.setContentType("text/plain");
        // safe: CWE-79
        response.getWriter().write("Nothing lives at " + request.getPathInfo());
    }
}
