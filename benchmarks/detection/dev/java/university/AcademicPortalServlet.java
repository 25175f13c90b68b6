package edu.uniplatform.academics;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.servlet.ServletException;
import javax.servlet.annotation.MultipartConfig;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.Part;
import javax.sql.DataSource;
import org.apache.commons.io.FilenameUtils;
import org.apache.commons.io.IOUtils;
import org.apache.commons.text.StringEscapeUtils;
import org.owasp.encoder.Encode;

@WebServlet(urlPatterns = {"/catalog/*", "/files/*"})
@MultipartConfig(maxFileSize = 20 * 1024 * 1024)
public class AcademicPortalServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final Map<String, String> SORT_COLUMNS = Map.of(
            "code", "c.course_code",
            "title", "c.title",
            "credits", "c.credits",
            "term", "c.term_start");

    private transient DataSource dataSource;

    @Override
    public void init() throws ServletException {
        try {
            dataSource = (DataSource) new InitialContext().lookup("java:comp/env/jdbc/campusDb");
        } catch (NamingException e) {
            throw new ServletException("campus datasource unavailable", e);
        }
    }

    private void handleCatalog(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        try {
            if (path.equals("/search")) {
                search(req, resp);
            } else if (path.startsWith("/course/")) {
                showCourse(req, resp, path.substring("/course/".length()));
            } else if (path.equals("/department")) {
                listDepartment(req, resp);
            } else if (path.equals("/sections")) {
                listSections(req, resp);
            } else if (path.equals("/instructor")) {
                instructorCourses(req, resp);
            } else {
                resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (SQLException e) {
            log("catalog query failed", e);
            resp.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
        }
    }

    private void search(HttpServletRequest req, HttpServletResponse resp) throws IOException, SQLException {
        String keyword = req.getParameter("q");
        String term = req.getParameter("term");
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            // vuln: CWE-89
            ResultSet rs = st.executeQuery("SELECT course_code, title, credits FROM courses WHERE term = '" + term + "' AND title LIKE '%" + keyword + "%'");
            // vuln: CWE-79
            out.println("<h2>Search results for " + keyword + "</h2>");
            out.println("<table class=\"catalog\">");
            while (rs.next()) {
                // safe: CWE-79
                out.println("<tr><td>" + Encode.forHtml(rs.getString("course_code")) + "</td><td>" + Encode.forHtml(rs.getString("title")) + "</td></tr>");
            }
            out.println("</table>");
        }
    }

    private void showCourse(HttpServletRequest req, HttpServletResponse resp, String courseCode) throws IOException, SQLException {
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        try (Connection conn = dataSource.getConnection()) {
            // safe: CWE-89
            PreparedStatement ps = conn.prepareStatement("SELECT title, description, credits FROM courses WHERE course_code = ?");
            ps.setString(1, courseCode);
            ResultSet rs = ps.executeQuery();
            if (!rs.next()) {
                // vuln: CWE-79
                out.printf("<p class=\"error\">No course with code %s was found.</p>%n", courseCode);
                return;
            }
            // safe: CWE-79
            out.println("<h1>" + StringEscapeUtils.escapeHtml4(rs.getString("title")) + " (" + Encode.forHtml(courseCode) + ")</h1>");
            int credits = rs.getInt("credits");
            out.println("<p>" + credits + " ECTS</p>");
        }
    }

    private void listDepartment(HttpServletRequest req, HttpServletResponse resp) throws IOException, SQLException {
        String dept = req.getParameter("dept");
        String sortKey = req.getParameter("sort");
        String orderBy = SORT_COLUMNS.getOrDefault(sortKey, "c.course_code");
        String sql = "SELECT c.course_code, c.title FROM courses c JOIN departments d ON d.id = c.department_id WHERE d.short_name = ? ORDER BY " + orderBy;
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        try (Connection conn = dataSource.getConnection()) {
            // safe: CWE-89
            PreparedStatement ps = conn.prepareStatement(sql);
            ps.setString(1, dept);
            ResultSet rs = ps.executeQuery();
            // safe: CWE-79
            out.println("<h2>Courses offered by " + Encode.forHtml(dept) + "</h2>");
            while (rs.next()) {
                out.println("<li>" + Encode.forHtml(rs.getString(1)) + " " + Encode.forHtml(rs.getString(2)) + "</li>");
            }
        }
    }

    private void listSections(HttpServletRequest req, HttpServletResponse resp) throws IOException, SQLException {
        int year = Integer.parseInt(req.getParameter("year"));
        int limit = Math.min(Integer.parseInt(req.getParameter("limit")), 200);
        String semester = req.getParameter("semester");
        String query = String.format("SELECT section_id, room, capacity FROM sections WHERE academic_year = %d AND semester = '%s' LIMIT %d", year, semester, limit);
        resp.setContentType("application/json");
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            // vuln: CWE-89
            ResultSet rs = st.executeQuery(query);
            StringBuilder json = new StringBuilder("[");
            while (rs.next()) {
                if (json.length() > 1) {
                    json.append(',');
                }
                json.append("{\"id\":").append(rs.getLong(1)).append(",\"capacity\":").append(rs.getInt(3)).append('}');
            }
            resp.getWriter().write(json.append(']').toString());
        }
    }

    private void instructorCourses(HttpServletRequest req, HttpServletResponse resp) throws IOException, SQLException {
        String instructorId = req.getParameter("instructorId");
        String displayName = readCookie(req, "displayName");
        int page = Integer.parseInt(req.getParameter("page"));
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        // vuln: CWE-79
        out.write("<div class=\"greeting\">Signed in as " + displayName + "</div>");
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            // safe: CWE-89
            ResultSet rs = st.executeQuery("SELECT course_code, title FROM courses WHERE archived = false ORDER BY course_code LIMIT 25 OFFSET " + (page * 25));
            while (rs.next()) {
                out.println("<li>" + Encode.forHtml(rs.getString("title")) + "</li>");
            }
            // vuln: CWE-89
            st.execute("UPDATE instructor_stats SET catalog_views = catalog_views + 1 WHERE instructor_id = " + instructorId);
        }
    }

    private static String readCookie(HttpServletRequest req, String name) {
        Cookie[] cookies = req.getCookies();
        if (cookies == null) {
            return "";
        }
        for (Cookie c : cookies) {
            if (c.getName().equals(name)) {
                return c.getValue();
            }
        }
        return "";
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        if ("/files".equals(req.getServletPath())) {
            handleFileDownload(req, resp);
        } else {
            handleCatalog(req, resp);
        }
    }

    private static final String TRANSCRIPT_DIR = "/srv/campus/transcripts/";
    private static final Path SUBMISSIONS_ROOT = Paths.get("/srv/campus/submissions").toAbsolutePath().normalize();
    private static final File SYLLABUS_DIR = new File("/srv/campus/syllabi");

    private void handleFileDownload(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        if (path.startsWith("/transcript/")) {
            downloadTranscript(req, resp, path.substring("/transcript/".length()));
        } else if (path.equals("/syllabus")) {
            downloadSyllabus(req, resp);
        } else if (path.equals("/submission")) {
            downloadSubmission(req, resp);
        } else if (path.startsWith("/certificate/")) {
            downloadCertificate(resp, path.substring("/certificate/".length()));
        } else if (path.equals("/attachment")) {
            downloadAttachment(req, resp);
        } else {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        if (!"/files".equals(req.getServletPath())) {
            resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        if (path.equals("/submission")) {
            uploadSubmission(req, resp);
        } else if (path.equals("/photo")) {
            uploadPhoto(req, resp);
        } else if (path.equals("/thesis")) {
            uploadThesis(req, resp);
        } else {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!"/files".equals(req.getServletPath())) {
            resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        String course = req.getParameter("course");
        String fileName = req.getParameter("file");
        // vuln: CWE-22
        Files.deleteIfExists(Paths.get("/srv/campus/submissions", course, fileName));
        resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }

    private void downloadTranscript(HttpServletRequest req, HttpServletResponse resp, String studentNo) throws IOException {
        resp.setContentType("application/pdf");
        resp.setHeader("Content-Disposition", "attachment; filename=\"transcript.pdf\"");
        // vuln: CWE-22
        byte[] pdf = Files.readAllBytes(Paths.get(TRANSCRIPT_DIR + studentNo + ".pdf"));
        resp.getOutputStream().write(pdf);
    }

    private void downloadSyllabus(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String name = req.getParameter("name");
        resp.setContentType("application/octet-stream");
        // vuln: CWE-22
        try (InputStream in = new FileInputStream(new File(SYLLABUS_DIR, name)); OutputStream out = resp.getOutputStream()) {
            IOUtils.copy(in, out);
        }
    }

    private void downloadSubmission(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String relative = req.getParameter("path");
        Path requested = SUBMISSIONS_ROOT.resolve(relative).normalize();
        if (!requested.startsWith(SUBMISSIONS_ROOT)) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        resp.setContentType("application/octet-stream");
        // safe: CWE-22
        Files.copy(requested, resp.getOutputStream());
    }

    private void downloadCertificate(HttpServletResponse resp, String certificateId) throws IOException {
        long id = Long.parseLong(certificateId);
        resp.setContentType("application/pdf");
        // safe: CWE-22
        byte[] pdf = Files.readAllBytes(Paths.get("/srv/campus/certificates", id + ".pdf"));
        resp.getOutputStream().write(pdf);
    }

    private void downloadAttachment(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String requested = req.getParameter("file");
        File base = new File("/srv/campus/attachments");
        File target = new File(base, requested);
        if (!target.getCanonicalPath().startsWith(base.getCanonicalPath() + File.separator)) {
            resp.setContentType("text/html;charset=UTF-8");
            // vuln: CWE-79
            resp.getWriter().println("<p>Attachment " + requested + " is not available.</p>");
            return;
        }
        resp.setContentType("application/octet-stream");
        // safe: CWE-22
        try (InputStream in = new FileInputStream(target)) {
            IOUtils.copy(in, resp.getOutputStream());
        }
    }

    private void uploadSubmission(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        Part part = req.getPart("assignment");
        String fileName = part.getSubmittedFileName();
        String courseDir = SUBMISSIONS_ROOT.toString() + File.separator + req.getParameter("course");
        // vuln: CWE-22
        part.write(courseDir + File.separator + fileName);
        resp.setContentType("text/html;charset=UTF-8");
        // vuln: CWE-79
        resp.getWriter().println("<p>Uploaded <b>" + fileName + "</b> successfully.</p>");
    }

    private void uploadPhoto(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        Part part = req.getPart("photo");
        String extension = "image/png".equals(part.getContentType()) ? ".png" : ".jpg";
        Path target = Paths.get("/srv/campus/photos", UUID.randomUUID() + extension);
        try (InputStream in = part.getInputStream()) {
            // safe: CWE-22
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        resp.setContentType("text/html;charset=UTF-8");
        // safe: CWE-79
        resp.getWriter().println("<p>Photo " + Encode.forHtml(part.getSubmittedFileName()) + " saved.</p>");
    }

    private void uploadThesis(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        Part part = req.getPart("thesis");
        String baseName = FilenameUtils.getName(part.getSubmittedFileName());
        if (baseName.isEmpty() || baseName.startsWith(".")) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        File target = new File("/srv/campus/theses", baseName);
        try (InputStream in = part.getInputStream()) {
            // safe: CWE-22
            Files.copy(in, target.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        resp.setContentType("text/html;charset=UTF-8");
        // safe: CWE-79
        resp.getWriter().printf("<p>Thesis <a href=\"/files/theses/%s\">%s</a> received.</p>", Encode.forUriComponent(baseName), Encode.forHtml(baseName));
    }
}
