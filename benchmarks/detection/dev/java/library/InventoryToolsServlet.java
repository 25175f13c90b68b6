package org.citylibrary.backoffice;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.servlet.ServletException;
import javax.servlet.annotation.MultipartConfig;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.Part;
import org.apache.commons.io.FilenameUtils;

/**
 * Staff back office: spine-label printing, inventory snapshots, shelf-list exports and
 * stock-take uploads from the handheld scanners.
 */
@WebServlet(urlPatterns = {"/staff/inventory/*"})
@MultipartConfig(maxFileSize = 20 * 1024 * 1024)
public class InventoryToolsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final String REPORT_DIR = "/srv/library/reports";
    private static final Path EXPORT_ROOT = Paths.get("/srv/library/exports").toAbsolutePath().normalize();
    private static final String STOCKTAKE_DIR = "/srv/library/stocktake/incoming";
    private static final Set<String> LABEL_PRINTERS = Set.of("circ-desk-1", "circ-desk-2", "tech-services", "branch-north");
    private static final Pattern ARCHIVE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String action = req.getPathInfo() == null ? "" : req.getPathInfo();
        if (action.startsWith("/reports")) {
            downloadReport(req, resp);
        } else if (action.startsWith("/exports/")) {
            downloadExport(req, resp);
        } else if (action.startsWith("/shelflist")) {
            downloadShelfList(req, resp);
        } else if (action.startsWith("/branch-report")) {
            downloadBranchReport(req, resp);
        } else if (action.equals("/disk-usage")) {
            diskUsage(req, resp);
        } else {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String action = req.getPathInfo() == null ? "" : req.getPathInfo();
        switch (action) {
            case "/labels/print":
                printLabels(req, resp);
                break;
            case "/labels/reprint":
                reprintLabels(req, resp);
                break;
            case "/snapshot":
                snapshotInventory(req, resp);
                break;
            case "/snapshot/named":
                snapshotNamed(req, resp);
                break;
            case "/dump-table":
                dumpTable(req, resp);
                break;
            case "/dump-table/checked":
                dumpTableChecked(req, resp);
                break;
            case "/convert":
                convertShelfList(req, resp);
                break;
            case "/reindex":
                reindexCatalogue(req, resp);
                break;
            case "/stocktake":
                uploadStocktake(req, resp);
                break;
            case "/stocktake/archive":
                uploadStocktakeArchive(req, resp);
                break;
            case "/rfid/ping":
                pingRfidGate(req, resp);
                break;
            case "/labels/copies":
                printCopies(req, resp);
                break;
            default:
                resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private void printLabels(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String printer = req.getParameter("printer");
        String batchId = req.getParameter("batch");
        File labelFile = new File("/var/spool/library/labels", "batch-" + batchId.hashCode() + ".pdf");
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec("lp -d " + printer + " " + labelFile.getAbsolutePath());
        waitAndReport(p, resp);
    }

    private void reprintLabels(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String printer = req.getParameter("printer");
        if (!LABEL_PRINTERS.contains(printer)) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "Unknown printer");
            return;
        }
        File labelFile = new File("/var/spool/library/labels", "reprint-" + UUID.randomUUID() + ".pdf");
        // safe: CWE-78
        Process p = new ProcessBuilder("lp", "-d", printer, labelFile.getAbsolutePath()).start();
        waitAndReport(p, resp);
    }

    private void snapshotInventory(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String archive = req.getParameter("archiveName");
        String branch = req.getParameter("branch");
        String dir = "/srv/library/inventory/" + branch;
        // vuln: CWE-78
        Process p = new ProcessBuilder("sh", "-c", "tar czf /srv/library/snapshots/" + archive + ".tgz " + dir).start();
        waitAndReport(p, resp);
    }

    private void snapshotNamed(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String archive = req.getParameter("archiveName");
        if (archive == null || !ARCHIVE_NAME.matcher(archive).matches()) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "Invalid archive name");
            return;
        }
        // safe: CWE-78
        Process p = new ProcessBuilder("tar", "czf", "/srv/library/snapshots/" + archive + ".tgz", "/srv/library/inventory").start();
        waitAndReport(p, resp);
    }

    private void dumpTable(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String table = req.getHeader("X-Report-Table");
        String[] cmd = {"/bin/bash", "-c", "pg_dump --data-only --table=" + table + " library > /srv/library/reports/" + table + ".sql"};
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(cmd);
        waitAndReport(p, resp);
    }

    private void dumpTableChecked(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String table = req.getHeader("X-Report-Table");
        String[] cmd = {"pg_dump", "--data-only", "--table=" + table, "--file=/srv/library/reports/export.sql", "library"};
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec(cmd);
        waitAndReport(p, resp);
    }

    private void convertShelfList(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String format = req.getParameter("format");
        String cmd = buildConvertCommand(format, "/srv/library/reports/shelflist.csv");
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(cmd);
        waitAndReport(p, resp);
    }

    private static String buildConvertCommand(String format, String source) {
        StringBuilder sb = new StringBuilder("/usr/bin/soffice --headless --convert-to ");
        sb.append(format);
        sb.append(" --outdir /srv/library/reports ");
        sb.append(source);
        return sb.toString();
    }

    private void reindexCatalogue(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String cmd = "/usr/local/bin/reindex-catalogue --full --quiet";
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec(cmd);
        waitAndReport(p, resp);
    }

    private void pingRfidGate(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String gate = null;
        if (req.getCookies() != null) {
            for (Cookie c : req.getCookies()) {
                if ("rfidGate".equals(c.getName())) {
                    gate = c.getValue();
                }
            }
        }
        if (gate == null) {
            gate = req.getParameter("gate");
        }
        // vuln: CWE-78
        Process p = new ProcessBuilder("/bin/sh", "-c", String.format("ping -c 2 -W 1 %s", gate)).start();
        waitAndReport(p, resp);
    }

    private void printCopies(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int copies;
        try {
            copies = Integer.parseInt(req.getParameter("copies"));
        } catch (NumberFormatException e) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        // safe: CWE-78
        Process p = new ProcessBuilder("/bin/sh", "-c", "lp -d tech-services -n " + copies + " /var/spool/library/labels/current.pdf").start();
        waitAndReport(p, resp);
    }

    private void diskUsage(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String branch = req.getParameter("branch");
        String target = "/srv/library/inventory/" + branch;
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"sh", "-c", "du -sh " + target});
        waitAndReport(p, resp);
    }

    private void downloadReport(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String name = req.getParameter("file");
        resp.setContentType("text/csv");
        // vuln: CWE-22
        byte[] data = Files.readAllBytes(Paths.get(REPORT_DIR + "/" + name));
        resp.getOutputStream().write(data);
    }

    private void downloadBranchReport(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String name = req.getParameter("file");
        Path base = Paths.get(REPORT_DIR).toAbsolutePath().normalize();
        Path requested = base.resolve(name).normalize();
        if (!requested.startsWith(base)) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        resp.setContentType("text/csv");
        // safe: CWE-22
        try (InputStream in = Files.newInputStream(requested)) {
            in.transferTo(resp.getOutputStream());
        }
    }

    private void downloadExport(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String rest = req.getPathInfo().substring("/exports".length());
        resp.setContentType("application/octet-stream");
        // vuln: CWE-22
        try (InputStream in = new FileInputStream(EXPORT_ROOT.toString() + rest)) {
            in.transferTo(resp.getOutputStream());
        }
    }

    private void downloadShelfList(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String requested = req.getParameter("name");
        String baseName = FilenameUtils.getName(requested);
        resp.setContentType("text/csv");
        // safe: CWE-22
        try (InputStream in = new FileInputStream(new File(EXPORT_ROOT.toFile(), baseName))) {
            in.transferTo(resp.getOutputStream());
        }
    }

    private void uploadStocktake(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        Part part = req.getPart("scan");
        String fileName = part.getSubmittedFileName();
        // vuln: CWE-22
        part.write(STOCKTAKE_DIR + File.separator + fileName);
        resp.setStatus(HttpServletResponse.SC_CREATED);
    }

    private void uploadStocktakeArchive(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        Part part = req.getPart("scan");
        String extension = "csv".equalsIgnoreCase(FilenameUtils.getExtension(part.getSubmittedFileName())) ? ".csv" : ".dat";
        String stored = UUID.randomUUID() + extension;
        // safe: CWE-22
        part.write(STOCKTAKE_DIR + File.separator + stored);
        resp.setHeader("X-Stored-As", stored);
        resp.setStatus(HttpServletResponse.SC_CREATED);
    }

    private static void waitAndReport(Process p, HttpServletResponse resp) throws IOException {
        try {
            boolean done = p.waitFor(60, TimeUnit.SECONDS);
            resp.setContentType("text/plain");
            try (OutputStream out = resp.getOutputStream()) {
                p.getInputStream().transferTo(out);
                if (!done) {
                    out.write("\n[timed out]\n".getBytes());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            resp.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        }
    }
}
