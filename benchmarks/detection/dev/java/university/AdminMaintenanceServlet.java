package edu.uniplatform.admin;

import groovy.lang.Binding;
import groovy.lang.GroovyShell;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.el.ELProcessor;
import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import javax.servlet.ServletException;
import javax.servlet.annotation.MultipartConfig;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.Part;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;

@WebServlet(urlPatterns = {"/admin/maintenance/*"})
@MultipartConfig
public class AdminMaintenanceServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final Set<String> EXPORTABLE_TABLES = Set.of("courses", "sections", "enrolments", "library_loans");

    private static final Map<String, String> MAINTENANCE_TASKS = Map.of(
            "rotate-logs", "logrotate -f /etc/logrotate.d/campus && systemctl reload campus-web",
            "purge-tmp", "find /srv/campus/tmp -type f -mtime +7 -delete",
            "reindex", "/usr/local/bin/reindex-catalog --full");

    private static final Map<String, String> GRADE_FORMULAS = Map.of(
            "weighted", "exam * 0.6 + coursework * 0.4",
            "best-of", "Math.max(exam, coursework)",
            "pass-fail", "(exam + coursework) / 2 >= 50 ? 100 : 0");

    private final ScriptEngine js = new ScriptEngineManager().getEngineByName("javascript");
    private final ExpressionParser spel = new SpelExpressionParser();

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String action = req.getPathInfo() == null ? "" : req.getPathInfo();
        resp.setContentType("text/plain;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        try {
            switch (action) {
                case "/backup" -> out.println(backupTable(req));
                case "/backup/v2" -> out.println(backupTableSafely(req));
                case "/archive-term" -> out.println(archiveTerm(req));
                case "/task" -> out.println(runTask(req));
                case "/ping-lms" -> out.println(pingLms(req));
                case "/disk-usage" -> out.println(diskUsage(req));
                case "/thumbnail" -> out.println(thumbnail(req));
                case "/reindex" -> out.println(reindex());
                case "/grade/preview" -> out.println(previewFormula(req));
                case "/grade/compute" -> out.println(computeWithNamedFormula(req));
                case "/grade/weighted" -> out.println(computeWeighted(req));
                case "/rules/eligibility" -> out.println(checkEligibility(req));
                case "/rules/fee" -> out.println(feeRule(req));
                case "/scripts/run" -> out.println(runAdminScript(req));
                case "/scripts/housekeeping" -> out.println(runHousekeeping(req));
                case "/el/preview" -> out.println(previewNotification(req));
                default -> resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (ScriptException | InterruptedException e) {
            throw new ServletException(e);
        }
    }

    private static String readOutput(Process process) throws IOException, InterruptedException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String output = reader.lines().collect(Collectors.joining("\n"));
            process.waitFor();
            return output;
        }
    }

    private String backupTable(HttpServletRequest req) throws IOException, InterruptedException {
        String table = req.getParameter("table");
        String label = req.getParameter("label");
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "pg_dump -t " + table + " campus | gzip > /srv/backups/" + label + ".sql.gz"});
        return readOutput(p);
    }

    private String backupTableSafely(HttpServletRequest req) throws IOException, InterruptedException {
        String table = req.getParameter("table");
        if (!EXPORTABLE_TABLES.contains(table)) {
            return "table not exportable";
        }
        String file = "/srv/backups/" + table + "-" + UUID.randomUUID() + ".dump";
        // safe: CWE-78
        Process p = new ProcessBuilder("pg_dump", "--format=custom", "--table", table, "--file", file, "campus").redirectErrorStream(true).start();
        return readOutput(p);
    }

    private String archiveTerm(HttpServletRequest req) throws IOException, InterruptedException {
        String term = req.getParameter("term");
        ProcessBuilder pb = new ProcessBuilder();
        // vuln: CWE-78
        pb.command("bash", "-c", "tar czf /srv/campus/archive/" + term + ".tgz /srv/campus/submissions/" + term);
        return readOutput(pb.redirectErrorStream(true).start());
    }

    private String runTask(HttpServletRequest req) throws IOException, InterruptedException {
        String command = MAINTENANCE_TASKS.get(req.getParameter("task"));
        if (command == null) {
            return "unknown task";
        }
        // safe: CWE-78
        Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
        return readOutput(p);
    }

    private String pingLms(HttpServletRequest req) throws IOException, InterruptedException {
        String host = req.getHeader("X-Lms-Host");
        return runShell("ping -c 3 " + host);
    }

    private String runShell(String commandLine) throws IOException, InterruptedException {
        // vuln: CWE-78
        Process p = new ProcessBuilder("/bin/sh", "-c", commandLine).redirectErrorStream(true).start();
        return readOutput(p);
    }

    private String diskUsage(HttpServletRequest req) throws IOException, InterruptedException {
        String username = req.getParameter("user");
        String cmd = String.format("du -sh /srv/campus/home/%s && quota -u %s", username, username);
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"sh", "-c", cmd});
        return readOutput(p);
    }

    private String thumbnail(HttpServletRequest req) throws IOException, ServletException, InterruptedException {
        Part photo = req.getPart("photo");
        Path source = Paths.get("/srv/campus/tmp", UUID.randomUUID() + ".upload");
        Path target = Paths.get("/srv/campus/photos", UUID.randomUUID() + ".png");
        try (InputStream in = photo.getInputStream()) {
            java.nio.file.Files.copy(in, source);
        }
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/usr/bin/convert", source.toString(), "-resize", "256x256", target.toString()});
        return readOutput(p);
    }

    private String reindex() throws IOException, InterruptedException {
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec("/usr/local/bin/reindex-catalog --full --quiet");
        return readOutput(p);
    }

    private String previewFormula(HttpServletRequest req) throws ScriptException {
        String formula = req.getParameter("formula");
        js.put("exam", Double.parseDouble(req.getParameter("exam")));
        js.put("coursework", Double.parseDouble(req.getParameter("coursework")));
        // vuln: CWE-95
        Object result = js.eval(formula);
        return String.valueOf(result);
    }

    private String computeWithNamedFormula(HttpServletRequest req) throws ScriptException {
        String formula = GRADE_FORMULAS.get(req.getParameter("scheme"));
        if (formula == null) {
            return "unknown grading scheme";
        }
        Bindings bindings = js.createBindings();
        bindings.put("exam", Double.parseDouble(req.getParameter("exam")));
        bindings.put("coursework", Double.parseDouble(req.getParameter("coursework")));
        // safe: CWE-95
        return String.valueOf(js.eval(formula, bindings));
    }

    private String computeWeighted(HttpServletRequest req) throws ScriptException {
        Bindings bindings = js.createBindings();
        bindings.put("exam", Double.parseDouble(req.getParameter("exam")));
        bindings.put("coursework", Double.parseDouble(req.getParameter("coursework")));
        bindings.put("examWeight", Double.parseDouble(req.getParameter("examWeight")));
        // safe: CWE-95
        return String.valueOf(js.eval("exam * examWeight + coursework * (1 - examWeight)", bindings));
    }

    private String checkEligibility(HttpServletRequest req) {
        String rule = req.getParameter("rule");
        StandardEvaluationContext ctx = new StandardEvaluationContext(new EligibilityFacts(req.getParameter("studentNo")));
        // vuln: CWE-94
        Boolean eligible = spel.parseExpression(rule).getValue(ctx, Boolean.class);
        return String.valueOf(eligible);
    }

    private String feeRule(HttpServletRequest req) {
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        ctx.setVariable("credits", Integer.parseInt(req.getParameter("credits")));
        ctx.setVariable("international", Boolean.parseBoolean(req.getParameter("international")));
        Expression fee = spel.parseExpression("#international ? #credits * 410 : #credits * 95");
        // safe: CWE-94
        return String.valueOf(fee.getValue(ctx, Integer.class));
    }

    private String runAdminScript(HttpServletRequest req) throws IOException {
        String script = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Binding binding = new Binding();
        binding.setVariable("registry", getServletContext().getAttribute("courseRegistry"));
        GroovyShell shell = new GroovyShell(binding);
        // vuln: CWE-95
        Object result = shell.evaluate(script);
        return String.valueOf(result);
    }

    private String runHousekeeping(HttpServletRequest req) throws IOException {
        Binding binding = new Binding();
        binding.setVariable("olderThanDays", Integer.parseInt(req.getParameter("days")));
        GroovyShell shell = new GroovyShell(binding);
        try (InputStream in = getClass().getResourceAsStream("/scripts/housekeeping.groovy")) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            // safe: CWE-95
            return String.valueOf(shell.evaluate(script));
        }
    }

    private String previewNotification(HttpServletRequest req) {
        ELProcessor elp = new ELProcessor();
        elp.defineBean("student", new EligibilityFacts(req.getParameter("studentNo")));
        String template = req.getParameter("expression");
        // vuln: CWE-95
        return String.valueOf(elp.eval(template));
    }
}
