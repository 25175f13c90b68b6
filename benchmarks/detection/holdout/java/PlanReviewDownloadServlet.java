package gov.riverton.permits;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.servlet.ServletException;
import javax.servlet.annotation.MultipartConfig;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.Part;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * Plan-review downloads for applicants: reviewed sheets, reviewer markups, comment
 * letters, zipped plan sets, and upload of resubmittal bundles.
 */
@WebServlet(urlPatterns = {"/plan-review/*"})
@MultipartConfig(maxFileSize = 250L * 1024 * 1024)
public class PlanReviewDownloadServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final String REVIEW_ROOT = "/srv/riverton/permits/reviews";
    private static final Path REVIEW_BASE = Paths.get(REVIEW_ROOT).toAbsolutePath().normalize();
    private static final Pattern PERMIT_NUMBER = Pattern.compile("^BP-\\d{4}-\\d{5}$");
    private static final Set<String> DISCIPLINES = Set.of("building", "electrical", "plumbing", "mechanical", "fire", "zoning", "engineering");

    private transient PlanReviewRepository reviews;

    @Override
    public void init() throws ServletException {
        reviews = (PlanReviewRepository) getServletContext().getAttribute("planReviewRepository");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String action = req.getPathInfo() == null ? "" : req.getPathInfo();
        String permit = req.getParameter("permit");
        if (permit == null || !reviews.isApplicant(permit, req.getRemoteUser())) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        try {
            switch (action) {
                case "/sheet":
                    sheet(req, resp, permit);
                    break;
                case "/sheet-by-id":
                    sheetById(req, resp, permit);
                    break;
                case "/markup":
                    markup(req, resp, permit);
                    break;
                case "/letter":
                    letter(req, resp, permit);
                    break;
                case "/comments":
                    comments(req, resp, permit);
                    break;
                case "/comments/by-discipline":
                    commentsForDiscipline(req, resp, permit);
                    break;
                case "/bundle":
                    bundle(req, resp, permit);
                    break;
                case "/bundle/all":
                    bundleAll(resp, permit);
                    break;
                case "/extract":
                    extractPages(req, resp, permit);
                    break;
                default:
                    resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
    }

    private void sheet(HttpServletRequest req, HttpServletResponse resp, String permit) throws IOException, NoSuchAlgorithmException {
        String file = req.getParameter("file");
        byte[] bytes;
        try {
            // vuln: CWE-22
            bytes = Files.readAllBytes(Paths.get(REVIEW_ROOT, permit, "sheets", file));
        } catch (NoSuchFileException e) {
            resp.setStatus(HttpServletResponse.SC_NOT_FOUND);
            resp.setContentType("text/html;charset=UTF-8");
            // vuln: CWE-79
            resp.getWriter().println("<p>No sheet named <code>" + file + "</code> was found in this review cycle.</p>");
            return;
        }
        // safe: CWE-328
        String etag = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        if (("\"" + etag + "\"").equals(req.getHeader("If-None-Match"))) {
            resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        resp.setHeader("ETag", "\"" + etag + "\"");
        resp.setContentType("application/pdf");
        resp.getOutputStream().write(bytes);
    }

    private void sheetById(HttpServletRequest req, HttpServletResponse resp, String permit) throws IOException {
        long sheetId = Long.parseLong(req.getParameter("sheetId"));
        String storedPath = reviews.storedSheetPath(permit, sheetId);
        if (storedPath == null) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        resp.setContentType("application/pdf");
        // safe: CWE-22
        try (InputStream in = Files.newInputStream(Paths.get(storedPath)); OutputStream out = resp.getOutputStream()) {
            in.transferTo(out);
        }
    }

    private void markup(HttpServletRequest req, HttpServletResponse resp, String permit) throws IOException {
        String name = req.getParameter("file");
        Path markupDir = REVIEW_BASE.resolve(permit).resolve("markups");
        Path requested = markupDir.resolve(name);
        if (!requested.startsWith(markupDir)) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        resp.setContentType("application/pdf");
        // vuln: CWE-22
        try (InputStream in = Files.newInputStream(requested); OutputStream out = resp.getOutputStream()) {
            in.transferTo(out);
        }
    }

    private void letter(HttpServletRequest req, HttpServletResponse resp, String permit) throws IOException {
        String name = req.getParameter("file");
        Path lettersDir = REVIEW_BASE.resolve(permit).resolve("letters").normalize();
        Path requested = lettersDir.resolve(name).normalize();
        if (!requested.startsWith(lettersDir) || !PERMIT_NUMBER.matcher(permit).matches()) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        resp.setContentType("application/pdf");
        // safe: CWE-22
        try (InputStream in = Files.newInputStream(requested); OutputStream out = resp.getOutputStream()) {
            in.transferTo(out);
        }
    }

    private Document reviewComments(String permit) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        return dbf.newDocumentBuilder().parse(REVIEW_BASE.resolve(reviews.canonicalPermit(permit)).resolve("comments.xml").toFile());
    }

    private void comments(HttpServletRequest req, HttpServletResponse resp, String permit) throws Exception {
        String discipline = req.getParameter("discipline");
        int cycle = Integer.parseInt(req.getParameter("cycle"));
        Document doc = reviewComments(permit);
        XPath xpath = XPathFactory.newInstance().newXPath();
        String expr = "/reviewCycles/cycle[@number=" + cycle + "]/review[@discipline='" + discipline + "'][@visibility='applicant']/comment";
        // vuln: CWE-643
        NodeList nodes = (NodeList) xpath.evaluate(expr, doc, XPathConstants.NODESET);
        writeComments(resp, cycle, nodes);
    }

    private void commentsForDiscipline(HttpServletRequest req, HttpServletResponse resp, String permit) throws Exception {
        String discipline = req.getParameter("discipline");
        int cycle = Integer.parseInt(req.getParameter("cycle"));
        if (discipline == null || !DISCIPLINES.contains(discipline)) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        Document doc = reviewComments(permit);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        NodeList nodes = (NodeList) xpath.evaluate("/reviewCycles/cycle[@number=" + cycle + "]/review[@discipline='" + discipline + "'][@visibility='applicant']/comment", doc, XPathConstants.NODESET);
        writeComments(resp, cycle, nodes);
    }

    private void writeComments(HttpServletResponse resp, int cycle, NodeList nodes) throws IOException {
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        // safe: CWE-79
        out.println("<h2>Review cycle " + cycle + "</h2><ol class=\"comments\">");
        for (int i = 0; i < nodes.getLength(); i++) {
            out.println("<li>" + org.owasp.encoder.Encode.forHtml(nodes.item(i).getTextContent()) + "</li>");
        }
        out.println("</ol>");
    }

    private void bundle(HttpServletRequest req, HttpServletResponse resp, String permit) throws IOException {
        String[] sheets = req.getParameterValues("sheet");
        if (sheets == null || sheets.length == 0) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        File sheetsDir = REVIEW_BASE.resolve(reviews.canonicalPermit(permit)).resolve("sheets").toFile();
        String command = "zip -q -j - " + String.join(" ", sheets);
        resp.setContentType("application/zip");
        resp.setHeader("Content-Disposition", "attachment; filename=\"plan-set.zip\"");
        // vuln: CWE-78
        Process zip = new ProcessBuilder("/bin/sh", "-c", command).directory(sheetsDir).start();
        try (InputStream in = zip.getInputStream(); OutputStream out = resp.getOutputStream()) {
            in.transferTo(out);
        }
    }

    private void bundleAll(HttpServletResponse resp, String permit) throws IOException {
        if (!PERMIT_NUMBER.matcher(permit).matches()) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        resp.setContentType("application/zip");
        resp.setHeader("Content-Disposition", "attachment; filename=\"" + permit + "-plans.zip\"");
        // safe: CWE-78
        Process zip = new ProcessBuilder("zip", "-q", "-r", "-", permit + "/sheets").directory(REVIEW_BASE.toFile()).start();
        try (InputStream in = zip.getInputStream(); OutputStream out = resp.getOutputStream()) {
            in.transferTo(out);
        }
    }

    private void extractPages(HttpServletRequest req, HttpServletResponse resp, String permit) throws IOException {
        String file = req.getParameter("file");
        String pages = req.getParameter("pages");
        String canonical = reviews.canonicalPermit(permit);
        String sheetPath = REVIEW_BASE.resolve(canonical).resolve("sheets").resolve(Paths.get(file).getFileName().toString()).toString();
        resp.setContentType("application/pdf");
        // vuln: CWE-78
        Process pdftk = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "pdftk \"" + sheetPath + "\" cat " + pages + " output -"});
        try (InputStream in = pdftk.getInputStream(); OutputStream out = resp.getOutputStream()) {
            in.transferTo(out);
        }
    }

    /** Applicant uploads a zipped resubmittal set answering the review comments. */
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String permit = req.getParameter("permit");
        if (permit == null || !reviews.isApplicant(permit, req.getRemoteUser())) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        Part bundle = req.getPart("bundle");
        Path target = REVIEW_BASE.resolve(reviews.canonicalPermit(permit)).resolve("resubmittal-" + reviews.nextCycle(permit));
        Files.createDirectories(target);
        List<String> extracted = "/responses".equals(req.getPathInfo()) ? extractResponses(bundle, target) : extractResubmittal(bundle, target);
        reviews.recordResubmittal(permit, extracted);
        resp.sendRedirect(req.getContextPath() + "/permits/" + reviews.canonicalPermit(permit) + "/reviews");
    }

    private List<String> extractResubmittal(Part bundle, Path target) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream zis = new ZipInputStream(bundle.getInputStream())) {
            ZipEntry entry;
            while ((entry = zis.getNextEntry()) != null) {
                if (entry.isDirectory()) {
                    continue;
                }
                Path out = target.resolve(entry.getName());
                Files.createDirectories(out.getParent());
                // vuln: CWE-22
                Files.copy(zis, out, StandardCopyOption.REPLACE_EXISTING);
                names.add(entry.getName());
            }
        }
        return names;
    }

    private List<String> extractResponses(Part bundle, Path target) throws IOException {
        Path base = target.toAbsolutePath().normalize();
        List<String> names = new ArrayList<>();
        try (ZipInputStream zis = new ZipInputStream(bundle.getInputStream())) {
            ZipEntry entry;
            while ((entry = zis.getNextEntry()) != null) {
                Path out = base.resolve(entry.getName()).normalize();
                if (!out.startsWith(base)) {
                    throw new IOException("Bundle entry outside target directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                // safe: CWE-22
                Files.copy(zis, out, StandardCopyOption.REPLACE_EXISTING);
                names.add(base.relativize(out).toString());
            }
        }
        return names;
    }
}
