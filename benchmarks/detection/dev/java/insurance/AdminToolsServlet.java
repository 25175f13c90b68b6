package com.harbormutual.admin;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.apache.commons.text.StringEscapeUtils;
import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@WebServlet(urlPatterns = "/admin/tools/*")
public class AdminToolsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(AdminToolsServlet.class);

    private static final Path LOG_DIR = Paths.get("/var/log/harbor").toAbsolutePath().normalize();
    private static final String CONFIG_ROOT = "/etc/harbor/tenants/";
    private static final String ADMIN_HOST = "admin.harbormutual.com";
    private static final Pattern TENANT_ID = Pattern.compile("^[a-z0-9-]{3,32}$");
    private static final Set<String> MAINT_ACTIONS = Set.of("reindex", "vacuum", "rotate-logs", "flush-cache");
    private static final Map<String, String> MAINT_SCRIPTS = Map.of(
            "reindex", "/opt/harbor/bin/reindex-claims.sh",
            "vacuum", "/opt/harbor/bin/vacuum-db.sh",
            "rotate-logs", "/opt/harbor/bin/rotate-logs.sh",
            "flush-cache", "/opt/harbor/bin/flush-cache.sh");

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String op = req.getPathInfo() == null ? "/" : req.getPathInfo();
        switch (op) {
            case "/logs": viewLog(req, resp); break;
            case "/logs/v2": viewLogV2(req, resp); break;
            case "/logs/grep": grepLogs(req, resp); break;
            case "/logs/grep/v2": grepLogsV2(req, resp); break;
            case "/tenant": showTenant(req, resp); break;
            case "/tenant/v2": showTenantV2(req, resp); break;
            default: resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String op = req.getPathInfo() == null ? "/" : req.getPathInfo();
        switch (op) {
            case "/maintenance": runMaintenance(req, resp); break;
            case "/maintenance/v2": runMaintenanceV2(req, resp); break;
            case "/tenant/switch": switchTenant(req, resp); break;
            case "/tenant/switch/v2": switchTenantV2(req, resp); break;
            default: resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private void viewLog(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String name = req.getParameter("file");
        if (name == null || !name.endsWith(".log")) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "only .log files can be viewed");
            return;
        }
        // vuln: CWE-22
        List<String> lines = Files.readAllLines(Paths.get(LOG_DIR.toString(), name), StandardCharsets.UTF_8);
        renderLines(resp, name, tail(lines, 500));
    }

    private void viewLogV2(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String name = req.getParameter("file");
        Path requested = LOG_DIR.resolve(name == null ? "" : name).normalize();
        if (!requested.startsWith(LOG_DIR) || !requested.toString().endsWith(".log")) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "log file not available");
            return;
        }
        // safe: CWE-22
        List<String> lines = Files.readAllLines(requested, StandardCharsets.UTF_8);
        renderLines(resp, requested.getFileName().toString(), tail(lines, 500));
    }

    private void grepLogs(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String pattern = req.getParameter("q");
        Path logFile = LOG_DIR.resolve("claims-service.log");
        // vuln: CWE-78
        Process p = new ProcessBuilder("bash", "-c", "grep -i -m 200 '" + pattern + "' " + logFile).start();
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        // vuln: CWE-79
        out.println("<h3>Matches for " + pattern + " in claims-service.log</h3><pre>");
        copyEscaped(p, out);
        out.println("</pre>");
    }

    private void grepLogsV2(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String pattern = req.getParameter("q") == null ? "" : req.getParameter("q");
        Path logFile = LOG_DIR.resolve("claims-service.log");
        // safe: CWE-78
        Process p = new ProcessBuilder("grep", "-i", "-F", "-m", "200", "-e", pattern, logFile.toString()).start();
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        // safe: CWE-79
        out.println("<h3>Matches for " + StringEscapeUtils.escapeHtml4(pattern) + " in claims-service.log</h3><pre>");
        copyEscaped(p, out);
        out.println("</pre>");
    }

    private void showTenant(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String tenant = req.getParameter("tenant");
        Properties props = new Properties();
        // vuln: CWE-22
        try (FileReader reader = new FileReader(new File(CONFIG_ROOT + tenant + "/tenant.properties"))) {
            props.load(reader);
        }
        String displayName = req.getParameter("label") != null ? req.getParameter("label") : props.getProperty("displayName", tenant);
        resp.setContentType("text/html;charset=UTF-8");
        // vuln: CWE-79
        resp.getWriter().printf("<h2>Tenant %s</h2><p>%d settings loaded</p>", displayName, props.size());
    }

    private void showTenantV2(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String tenant = requireTenantId(req, resp);
        if (tenant == null) {
            return;
        }
        Properties props = new Properties();
        // safe: CWE-22
        try (FileReader reader = new FileReader(new File(CONFIG_ROOT + tenant + "/tenant.properties"))) {
            props.load(reader);
        }
        String displayName = req.getParameter("label") != null ? req.getParameter("label") : props.getProperty("displayName", tenant);
        resp.setContentType("text/html;charset=UTF-8");
        // safe: CWE-79
        resp.getWriter().printf("<h2>Tenant %s</h2><p>%d settings loaded</p>", Encode.forHtml(displayName), props.size());
    }

    private void runMaintenance(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String action = req.getParameter("action");
        String tenant = req.getParameter("tenant");
        if (!MAINT_ACTIONS.contains(action)) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "unknown action");
            return;
        }
        log.info("Admin {} triggered {} for tenant {}", req.getRemoteUser(), action, tenant);
        // vuln: CWE-78
        Runtime.getRuntime().exec(new String[]{"sh", "-c", "/opt/harbor/bin/maint.sh " + action + " --tenant=" + tenant + " >> /var/log/harbor/maint.log 2>&1"});
        String back = req.getHeader("Referer");
        if (back != null && back.startsWith("https://" + ADMIN_HOST)) {
            // vuln: CWE-601
            resp.sendRedirect(back);
            return;
        }
        resp.sendRedirect(req.getContextPath() + "/admin/tools/maintenance-status");
    }

    private void runMaintenanceV2(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String script = MAINT_SCRIPTS.get(req.getParameter("action"));
        String tenant = requireTenantId(req, resp);
        if (script == null || tenant == null) {
            return;
        }
        log.info("Admin {} triggered {} for tenant {}", req.getRemoteUser(), script, tenant);
        ProcessBuilder pb = new ProcessBuilder(script, "--tenant", tenant);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File("/var/log/harbor/maint.log")));
        pb.redirectErrorStream(true);
        // safe: CWE-78
        pb.start();
        String back = req.getHeader("Referer");
        if (back != null && isAdminHost(back)) {
            // safe: CWE-601
            resp.sendRedirect(back);
            return;
        }
        resp.sendRedirect(req.getContextPath() + "/admin/tools/maintenance-status");
    }

    private void switchTenant(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String tenant = req.getParameter("tenant");
        req.getSession().setAttribute("adminTenantFilter", TENANT_ID.matcher(String.valueOf(tenant)).matches() ? tenant : "all");
        String cont = req.getParameter("continue");
        // vuln: CWE-601
        resp.sendRedirect(cont != null ? cont : req.getContextPath() + "/admin/tenants");
    }

    private void switchTenantV2(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String tenant = req.getParameter("tenant");
        req.getSession().setAttribute("adminTenantFilter", TENANT_ID.matcher(String.valueOf(tenant)).matches() ? tenant : "all");
        String cont = req.getParameter("continue");
        boolean localAdminPath = cont != null && cont.startsWith("/admin/") && !cont.contains("//") && !cont.contains("\\") && !cont.contains("..") && cont.indexOf(':') < 0;
        String target = req.getContextPath() + (localAdminPath ? cont : "/admin/tenants");
        // safe: CWE-601
        resp.sendRedirect(target);
    }

    private String requireTenantId(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String tenant = req.getParameter("tenant");
        if (tenant == null || !TENANT_ID.matcher(tenant).matches()) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "invalid tenant id");
            return null;
        }
        return tenant;
    }

    private static boolean isAdminHost(String url) {
        try {
            URI uri = new URI(url);
            return "https".equals(uri.getScheme()) && ADMIN_HOST.equalsIgnoreCase(uri.getHost()) && uri.getUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static List<String> tail(List<String> lines, int max) {
        return lines.size() <= max ? lines : lines.subList(lines.size() - max, lines.size());
    }

    private static void renderLines(HttpServletResponse resp, String title, List<String> lines) throws IOException {
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        out.println("<html><body><h3>" + Encode.forHtml(title) + "</h3><pre>");
        for (String line : lines) {
            out.println(Encode.forHtml(line));
        }
        out.println("</pre></body></html>");
    }

    private static void copyEscaped(Process p, PrintWriter out) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            int count = 0;
            while ((line = r.readLine()) != null && count++ < 200) {
                out.println(Encode.forHtml(line));
            }
        }
    }
}
