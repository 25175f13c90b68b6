package com.tixhub.boxoffice;

import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import javax.sql.DataSource;

import org.apache.commons.text.StringEscapeUtils;
import org.owasp.encoder.Encode;

import com.tixhub.auth.StaffAuthenticator;
import com.tixhub.auth.StaffMember;

/**
 * Box-office terminal: walk-up sales, order lookup, shift handling.
 */
@WebServlet(urlPatterns = {"/boxoffice/*"})
public class BoxOfficeServlet extends HttpServlet {

    private static final Set<String> WINDOWS = Set.of("A", "B", "C", "VIP", "WILLCALL");

    private DataSource dataSource;
    private StaffAuthenticator authenticator;

    @Override
    public void init() throws ServletException {
        this.dataSource = (DataSource) getServletContext().getAttribute("tixDataSource");
        this.authenticator = (StaffAuthenticator) getServletContext().getAttribute("staffAuthenticator");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String action = req.getPathInfo() == null ? "/" : req.getPathInfo();
        switch (action) {
            case "/lookup":
                lookupOrder(req, resp);
                break;
            case "/customer":
                customerOrders(req, resp);
                break;
            case "/receipt":
                receipt(req, resp);
                break;
            case "/window":
                selectWindow(req, resp);
                break;
            default:
                resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String action = req.getPathInfo() == null ? "/" : req.getPathInfo();
        if ("/shift/start".equals(action)) {
            startShift(req, resp);
        } else if ("/note".equals(action)) {
            addNote(req, resp);
        } else if ("/sale".equals(action)) {
            walkUpSale(req, resp);
        } else {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private void lookupOrder(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String ref = req.getParameter("ref");
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            // vuln: CWE-89
            ResultSet rs = st.executeQuery("SELECT o.id, o.total_cents, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.reference = '" + ref + "'");
            if (!rs.next()) {
                // vuln: CWE-79
                out.println("<p class=\"warn\">No order with reference " + ref + "</p>");
                return;
            }
            out.println("<table><tr><td>" + Encode.forHtml(rs.getString("email")) + "</td><td>" + rs.getLong("total_cents") + "</td></tr></table>");
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    private void customerOrders(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String email = req.getParameter("email");
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        try (Connection conn = dataSource.getConnection()) {
            // safe: CWE-89
            PreparedStatement ps = conn.prepareStatement("SELECT reference, status FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email = ? ORDER BY o.created_at DESC");
            ps.setString(1, email);
            ResultSet rs = ps.executeQuery();
            // safe: CWE-79
            out.println("<h3>Orders for " + Encode.forHtml(email) + "</h3>");
            while (rs.next()) {
                out.println("<div>" + Encode.forHtml(rs.getString("reference")) + " &mdash; " + rs.getString("status") + "</div>");
            }
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    private void receipt(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String orderId = req.getParameter("order");
        String name = req.getParameter("name");
        long id = Long.parseLong(orderId);
        resp.setContentType("text/html;charset=UTF-8");
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            // safe: CWE-89
            ResultSet rs = st.executeQuery("SELECT total_cents, seat_label FROM order_lines WHERE order_id = " + id);
            StringBuilder sb = new StringBuilder("<h2>Receipt</h2><p>Thank you, ").append(name).append("!</p>");
            while (rs.next()) {
                sb.append("<div>").append(rs.getString("seat_label")).append("</div>");
            }
            // vuln: CWE-79
            resp.getWriter().write(sb.toString());
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    private void selectWindow(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String window = req.getParameter("window");
        HttpSession session = req.getSession();
        if (window != null && WINDOWS.contains(window.toUpperCase())) {
            // safe: CWE-501
            session.setAttribute("boxOfficeWindow", window.toUpperCase());
        }
        resp.setContentType("text/html;charset=UTF-8");
        // safe: CWE-79
        resp.getWriter().printf("<p>Window set to %s</p>", StringEscapeUtils.escapeHtml4(window));
    }

    private void startShift(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String staffId = req.getParameter("staffId");
        String pin = req.getParameter("pin");
        StaffMember member = authenticator.verifyPin(staffId, pin);
        if (member == null) {
            resp.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        HttpSession session = req.getSession(true);
        // safe: CWE-501
        session.setAttribute("staffId", member.getId());
        // vuln: CWE-501
        session.setAttribute("cashDrawer", req.getParameter("drawer"));
        String terminal = req.getHeader("X-Terminal-Id");
        // vuln: CWE-501
        session.setAttribute("terminal", terminal);
        resp.sendRedirect(req.getContextPath() + "/boxoffice/window");
    }

    private void addNote(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String note = req.getParameter("note");
        String orderRef = req.getParameter("ref");
        try (Connection conn = dataSource.getConnection()) {
            String sql = "UPDATE orders SET staff_note = '" + note.replace("\n", " ") + "' WHERE reference = ?";
            // vuln: CWE-89
            PreparedStatement ps = conn.prepareStatement(sql);
            ps.setString(1, orderRef);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IOException(e);
        }
        resp.setContentType("text/html;charset=UTF-8");
        // safe: CWE-79
        resp.getWriter().println("<p>Note saved for order " + Encode.forHtml(orderRef) + "</p>");
    }

    private void walkUpSale(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        for (Cookie c : req.getCookies() == null ? new Cookie[0] : req.getCookies()) {
            if ("bo_last_event".equals(c.getName())) {
                // vuln: CWE-501
                req.getSession().setAttribute("currentEvent", c.getValue());
            }
        }
        resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }
}
