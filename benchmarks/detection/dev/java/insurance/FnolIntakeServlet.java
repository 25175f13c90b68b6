package com.harbormutual.claims;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import javax.annotation.Resource;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.sql.DataSource;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.apache.commons.text.StringEscapeUtils;
import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

@WebServlet(urlPatterns = {"/claims/fnol", "/claims/fnol/bulk", "/claims/fnol/lookup", "/claims/fnol/stream"})
public class FnolIntakeServlet extends HttpServlet {

    private static final Logger log = LoggerFactory.getLogger(FnolIntakeServlet.class);

    enum Region {
        NORTHEAST("fnol_reports_ne"), SOUTHEAST("fnol_reports_se"), MIDWEST("fnol_reports_mw"), WEST("fnol_reports_w");

        private final String table;

        Region(String table) {
            this.table = table;
        }

        String table() {
            return table;
        }
    }

    @Resource(name = "jdbc/claims")
    private DataSource dataSource;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String path = req.getServletPath();
        if (path.endsWith("/bulk")) {
            importBulk(req, resp);
            return;
        }
        if (path.endsWith("/stream")) {
            importStream(req, resp);
            return;
        }
        submitFirstNotice(req, resp);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String claimRef = req.getParameter("claimRef");
        String regionParam = req.getParameter("region");
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        try (Connection conn = dataSource.getConnection()) {
            Region region = Region.valueOf(regionParam == null ? "WEST" : regionParam.toUpperCase(Locale.ROOT));
            // safe: CWE-89
            try (PreparedStatement ps = conn.prepareStatement("SELECT claim_ref, loss_type, status FROM " + region.table() + " WHERE claim_ref = ?")) {
                ps.setString(1, claimRef);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.println("<p>Status: " + Encode.forHtml(rs.getString("status")) + "</p>");
                    } else {
                        // safe: CWE-79
                        out.println("<p>No claim found for " + StringEscapeUtils.escapeHtml4(claimRef) + "</p>");
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "Unknown region");
        } catch (SQLException e) {
            log.error("FNOL lookup failed", e);
            resp.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
        }
    }

    private void submitFirstNotice(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String policyNumber = req.getParameter("policyNumber");
        String lossType = req.getParameter("lossType");
        String description = req.getParameter("description");
        String lossDateRaw = req.getParameter("lossDate");
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();

        // vuln: CWE-501
        req.getSession().setAttribute("fnol.draft.policyNumber", policyNumber);

        LocalDate lossDate;
        try {
            lossDate = LocalDate.parse(lossDateRaw);
        } catch (DateTimeParseException | NullPointerException e) {
            out.println("<div class=\"error\">Please enter the date of loss as YYYY-MM-DD.</div>");
            return;
        }

        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            // vuln: CWE-89
            ResultSet rs = stmt.executeQuery("SELECT policy_id, status, region FROM policies WHERE policy_number = '" + policyNumber + "' AND status = 'ACTIVE'");
            if (!rs.next()) {
                // vuln: CWE-79
                out.printf("<div class=\"error\">Policy %s was not found or is not active.</div>%n", policyNumber);
                return;
            }
            long policyId = rs.getLong("policy_id");
            // safe: CWE-501
            req.getSession().setAttribute("fnol.policyId", policyId);

            String claimRef = "HM-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT);
            // safe: CWE-89
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO fnol_reports (claim_ref, policy_id, loss_type, loss_date, description) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, claimRef);
                ps.setLong(2, policyId);
                ps.setString(3, lossType);
                ps.setDate(4, Date.valueOf(lossDate));
                ps.setString(5, description);
                ps.executeUpdate();
            }
            out.println("<h1>Thank you</h1>");
            // safe: CWE-79
            out.println("<p>Your claim reference is <strong>" + claimRef + "</strong>.</p>");
            // vuln: CWE-79
            out.println("<blockquote>" + description + "</blockquote>");
        } catch (SQLException e) {
            log.error("FNOL submission failed for policy lookup", e);
            resp.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
        }
    }

    private void importBulk(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String region = req.getHeader("X-Broker-Region");
        String table = "fnol_reports_" + (region == null ? "w" : region.toLowerCase(Locale.ROOT));
        List<String[]> rows = new ArrayList<>();
        try {
            DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
            dbf.setNamespaceAware(true);
            DocumentBuilder builder = dbf.newDocumentBuilder();
            // vuln: CWE-611
            Document doc = builder.parse(req.getInputStream());
            NodeList notices = doc.getElementsByTagName("LossNotice");
            for (int i = 0; i < notices.getLength(); i++) {
                Element n = (Element) notices.item(i);
                rows.add(new String[] {n.getAttribute("claimRef"), n.getAttribute("lossType"), n.getTextContent()});
            }
        } catch (ParserConfigurationException | SAXException e) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "Malformed bulk file");
            return;
        }
        try (Connection conn = dataSource.getConnection()) {
            for (String[] row : rows) {
                // vuln: CWE-89
                try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + table + " (claim_ref, loss_type, description) VALUES (?, ?, ?)")) {
                    ps.setString(1, row[0]);
                    ps.setString(2, row[1]);
                    ps.setString(3, row[2]);
                    ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            log.error("Bulk FNOL import failed", e);
            resp.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            return;
        }
        resp.getWriter().println("imported=" + rows.size());
    }

    private void importStream(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int count = 0;
        try (InputStream in = req.getInputStream()) {
            XMLInputFactory xif = XMLInputFactory.newInstance();
            if (!"legacy".equals(req.getParameter("profile"))) {
                xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
                xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
                // safe: CWE-611
                XMLStreamReader reader = xif.createXMLStreamReader(in);
                count = countNotices(reader);
            } else {
                // vuln: CWE-611
                XMLStreamReader reader = XMLInputFactory.newFactory().createXMLStreamReader(in);
                count = countNotices(reader);
            }
        } catch (XMLStreamException e) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "Malformed stream");
            return;
        }
        resp.getWriter().println("notices=" + count);
    }

    Document parseTrustedTemplate(InputStream templateStream) throws ParserConfigurationException, IOException, SAXException {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        dbf.setExpandEntityReferences(false);
        // safe: CWE-611
        return dbf.newDocumentBuilder().parse(templateStream);
    }

    private static int countNotices(XMLStreamReader reader) throws XMLStreamException {
        int count = 0;
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamConstants.START_ELEMENT && "LossNotice".equals(reader.getLocalName())) {
                count++;
            }
        }
        reader.close();
        return count;
    }
}
