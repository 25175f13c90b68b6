package org.citylibrary.backoffice.maintenance;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * Back-office maintenance console: database snapshots, thumbnail regeneration,
 * RFID pad diagnostics, report exports and the nightly job logs.
 * Mapped behind the staff SSO filter (role MAINTENANCE).
 */
@WebServlet(urlPatterns = {"/staff/maintenance/*"})
public class MaintenanceJobsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Pattern BRANCH_CODE = Pattern.compile("[A-Z_]{2,16}");
    private static final Pattern HOSTNAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Map<String, String> REPORT_FILES = Map.of(
            "circulation", "circulation-monthly.csv",
            "fines", "fines-outstanding.csv",
            "inventory", "inventory-missing.csv",
            "events", "event-attendance.csv");

    private static final String EXPORT_DIR = "/var/lib/citylibrary/exports";
    private static final String LOG_DIR = "/var/log/citylibrary/jobs";

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String action = req.getPathInfo() == null ? "" : req.getPathInfo();
        try {
            switch (action) {
                case "/snapshot":
                    snapshot(req, resp);
                    break;
                case "/thumbnails":
                    thumbnails(req, resp);
                    break;
                case "/rfid-ping":
                    rfidPing(req, resp);
                    break;
                case "/reindex":
                    reindex(req, resp);
                    break;
                case "/archive-exports":
                    archiveExports(req, resp);
                    break;
                default:
                    resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServletException(e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String action = req.getPathInfo() == null ? "" : req.getPathInfo();
        if (action.equals("/exports")) {
            downloadExport(req, resp, req.getParameter("file"));
        } else if (action.equals("/report")) {
            downloadReport(req, resp);
        } else if (action.equals("/logs")) {
            tailLog(req, resp);
        } else if (action.equals("/label-template")) {
            labelTemplate(req, resp);
        } else {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private void snapshot(HttpServletRequest req, HttpServletResponse resp) throws IOException, InterruptedException {
        String label = req.getParameter("label");
        String file = "/backups/catalogue-" + label + ".dump";
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "pg_dump -Fc catalogue > " + file});
        resp.getWriter().println("snapshot exit " + p.waitFor());
    }

    private void thumbnails(HttpServletRequest req, HttpServletResponse resp) throws IOException, InterruptedException {
        String isbn = req.getParameter("isbn");
        String size = req.getParameter("size");
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec("convert /srv/covers/" + isbn + ".jpg -resize " + size + " /srv/covers/thumbs/" + isbn + ".jpg");
        resp.getWriter().println("thumbnail exit " + p.waitFor());

        String stamp = LocalDate.now().format(DateTimeFormatter.BASIC_ISO_DATE);
        // safe: CWE-78
        Process sync = new ProcessBuilder("rsync", "-a", "/srv/covers/thumbs/", "cdn-sync@static.library.city.gov:/covers/" + stamp + "/").start();
        sync.waitFor(5, TimeUnit.MINUTES);
    }

    private void rfidPing(HttpServletRequest req, HttpServletResponse resp) throws IOException, InterruptedException {
        String padHost = req.getParameter("host");
        if (padHost != null && HOSTNAME.matcher(padHost).matches()) {
            // safe: CWE-78
            Process p = new ProcessBuilder("ping", "-c", "3", "-W", "2", padHost).redirectErrorStream(true).start();
            resp.getWriter().println("ping exit " + p.waitFor());
            return;
        }
        String padIp = req.getHeader("X-Pad-Address");
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add("-c");
        cmd.add("nc -z -w 2 " + padIp + " 8080 && echo reachable");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // vuln: CWE-78
        Process p = pb.start();
        resp.getWriter().println("probe exit " + p.waitFor());
    }

    private void reindex(HttpServletRequest req, HttpServletResponse resp) throws IOException, InterruptedException {
        String branch = req.getParameter("branch");
        if (branch == null || !BRANCH_CODE.matcher(branch).matches()) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "invalid branch");
            return;
        }
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/opt/citylibrary/bin/reindex-branch", "--branch", branch});
        resp.getWriter().println("reindex exit " + p.waitFor());

        String notify = req.getParameter("notifyEmail");
        if (notify != null) {
            String mailCmd = String.format("echo 'Reindex of %s finished' | mail -s 'reindex' %s", branch, notify);
            // vuln: CWE-78
            Runtime.getRuntime().exec(new String[] {"sh", "-c", mailCmd});
        }
    }

    private void archiveExports(HttpServletRequest req, HttpServletResponse resp) throws IOException, InterruptedException {
        String month = req.getParameter("month");
        String archiveName = month.replace("-", "") + ".tar.gz";
        // vuln: CWE-78
        Process p = new ProcessBuilder("sh", "-c", "cd " + EXPORT_DIR + " && tar czf archive/" + archiveName + " *-" + month + ".csv").start();
        resp.getWriter().println("archive exit " + p.waitFor());

        int days = Integer.parseInt(req.getParameter("keepDays"));
        // safe: CWE-78
        Process prune = Runtime.getRuntime().exec("find " + EXPORT_DIR + "/archive -name *.tar.gz -mtime +" + days + " -delete");
        prune.waitFor();

        // safe: CWE-78
        Process df = new ProcessBuilder("df", "-h", EXPORT_DIR).start();
        resp.getOutputStream().write(df.getInputStream().readAllBytes());
    }

    private void downloadExport(HttpServletRequest req, HttpServletResponse resp, String fileName) throws IOException {
        File f = new File(EXPORT_DIR, fileName);
        resp.setContentType("text/csv");
        resp.setHeader("Content-Disposition", "attachment; filename=\"" + f.getName() + "\"");
        // vuln: CWE-22
        try (InputStream in = new FileInputStream(f); OutputStream out = resp.getOutputStream()) {
            in.transferTo(out);
        }
    }

    private void downloadReport(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String reportFile = REPORT_FILES.get(req.getParameter("type"));
        if (reportFile == null) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        resp.setContentType("text/csv");
        // safe: CWE-22
        Files.copy(Paths.get(EXPORT_DIR, reportFile), resp.getOutputStream());
    }

    private void tailLog(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String job = req.getParameter("job");
        String date = req.getParameter("date");
        Path logFile = Paths.get(LOG_DIR, job, date + ".log");
        resp.setContentType("text/plain");
        // vuln: CWE-22
        List<String> lines = Files.readAllLines(logFile);
        for (String line : lines.subList(Math.max(0, lines.size() - 200), lines.size())) {
            resp.getWriter().println(line);
        }
    }

    private void labelTemplate(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String name = req.getParameter("name");
        Path base = Paths.get("/etc/citylibrary/label-templates").toRealPath();
        Path requested = base.resolve(name).toRealPath();
        if (!requested.startsWith(base)) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        resp.setContentType("application/xml");
        // safe: CWE-22
        resp.getOutputStream().write(Files.readAllBytes(requested));
    }
}
