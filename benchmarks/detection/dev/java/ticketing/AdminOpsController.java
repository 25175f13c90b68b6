package com.tixhub.admin.web;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import javax.servlet.http.HttpServletResponse;

import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.common.TemplateParserContext;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.tixhub.admin.ReportRow;
import com.tixhub.admin.ReportService;
import com.tixhub.admin.dto.MaintenanceRequest;
import com.tixhub.admin.dto.PricingRule;

/**
 * Admin and ops tools: database backups, report exports, maintenance jobs, dynamic pricing rules.
 */
@RestController
@RequestMapping("/ops")
public class AdminOpsController {

    private static final Pattern TABLE_NAME = Pattern.compile("^[a-z_]{1,40}$");
    private static final Set<String> CACHES = Set.of("listings", "seatmaps", "pricing", "sessions");
    private static final Path EXPORT_ROOT = Paths.get("/srv/tixhub/exports");

    private final ReportService reports;
    private final ScriptEngine js = new ScriptEngineManager().getEngineByName("javascript");
    private final ExpressionParser spel = new SpelExpressionParser();

    public AdminOpsController(ReportService reports) {
        this.reports = reports;
    }

    // ---- backups and maintenance ---------------------------------------------------------

    @PostMapping("/backups/table")
    public ResponseEntity<String> backupTable(@RequestParam("table") String table) throws IOException, InterruptedException {
        String out = "/srv/backups/" + table + "-" + LocalDate.now() + ".sql";
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec("pg_dump --table=" + table + " --file=" + out + " tixhub");
        return ResponseEntity.ok("exit " + p.waitFor());
    }

    @PostMapping("/backups/table/v2")
    public ResponseEntity<String> backupTableV2(@RequestParam("table") String table) throws IOException, InterruptedException {
        if (!TABLE_NAME.matcher(table).matches()) {
            return ResponseEntity.badRequest().body("bad table");
        }
        String out = "/srv/backups/" + table + "-" + LocalDate.now() + ".sql";
        // safe: CWE-78
        Process p = new ProcessBuilder("pg_dump", "--table=" + table, "--file=" + out, "tixhub").redirectErrorStream(true).start();
        return ResponseEntity.ok("exit " + p.waitFor());
    }

    @PostMapping("/backups/archive")
    public ResponseEntity<String> archiveBackups(@RequestBody MaintenanceRequest req) throws IOException, InterruptedException {
        String cmd = String.format("tar czf /srv/archive/%s.tgz /srv/backups/*%s*.sql", req.getLabel(), req.getDate());
        // vuln: CWE-78
        Process p = new ProcessBuilder("/bin/sh", "-c", cmd).start();
        return ResponseEntity.ok("exit " + p.waitFor());
    }

    @PostMapping("/backups/archive/v2")
    public ResponseEntity<String> archiveBackupsV2(@RequestBody MaintenanceRequest req) throws IOException, InterruptedException {
        LocalDate date = LocalDate.parse(req.getDate());
        List<String> args = new ArrayList<>(List.of("tar", "czf", "/srv/archive/backups-" + date.format(DateTimeFormatter.BASIC_ISO_DATE) + ".tgz", "--"));
        try (var files = Files.list(Paths.get("/srv/backups"))) {
            files.filter(f -> f.getFileName().toString().contains(date.toString())).forEach(f -> args.add(f.toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(args);
        // safe: CWE-78
        Process p = pb.start();
        return ResponseEntity.ok("exit " + p.waitFor());
    }

    @PostMapping("/cache/flush")
    public ResponseEntity<String> flushCache(@RequestParam("name") String name, @RequestParam("host") String host) throws IOException {
        // vuln: CWE-78
        Runtime.getRuntime().exec(new String[] {"/bin/bash", "-c", "redis-cli -h " + host + " DEL cache:" + name});
        return ResponseEntity.accepted().body("flushing");
    }

    @PostMapping("/cache/flush/v2")
    public ResponseEntity<String> flushCacheV2(@RequestParam("name") String name) throws IOException {
        if (!CACHES.contains(name)) {
            return ResponseEntity.badRequest().body("unknown cache");
        }
        // safe: CWE-78
        Runtime.getRuntime().exec(new String[] {"/bin/bash", "-c", "redis-cli -h cache.internal DEL cache:" + name});
        return ResponseEntity.accepted().body("flushing");
    }

    @PostMapping("/logs/grep")
    public ResponseEntity<String> grepLogs(@RequestParam("pattern") String pattern, @RequestParam("service") String service) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("sh");
        command.add("-c");
        command.add("grep -h '" + pattern + "' /var/log/tixhub/" + service + "/*.log | tail -n 500");
        ProcessBuilder pb = new ProcessBuilder(command);
        // vuln: CWE-78
        Process p = pb.start();
        return ResponseEntity.ok(new String(p.getInputStream().readAllBytes()));
    }

    @PostMapping("/logs/grep/v2")
    public ResponseEntity<String> grepLogsV2(@RequestParam("pattern") String pattern, @RequestParam("service") String service) throws IOException {
        if (!TABLE_NAME.matcher(service).matches()) {
            return ResponseEntity.badRequest().body("bad service");
        }
        // safe: CWE-78
        Process p = new ProcessBuilder("grep", "-h", "-e", pattern, "-r", "/var/log/tixhub/" + service).start();
        return ResponseEntity.ok(new String(p.getInputStream().readAllBytes()));
    }

    @PostMapping("/maintenance/reindex/{eventId}")
    public ResponseEntity<String> reindex(@PathVariable String eventId) throws IOException {
        // vuln: CWE-78
        Runtime.getRuntime().exec("/opt/tixhub/bin/reindex.sh " + eventId);
        return ResponseEntity.accepted().body("queued");
    }

    @PostMapping("/maintenance/reindex/v2/{eventId}")
    public ResponseEntity<String> reindexV2(@PathVariable String eventId) throws IOException {
        long id = Long.parseLong(eventId);
        // safe: CWE-78
        Runtime.getRuntime().exec("/opt/tixhub/bin/reindex.sh " + id);
        return ResponseEntity.accepted().body("queued");
    }

    // ---- report exports -----------------------------------------------------------------

    @GetMapping("/exports/download")
    public void downloadExport(@RequestParam("file") String name, HttpServletResponse response) throws IOException {
        response.setContentType("text/csv");
        // vuln: CWE-22
        Files.copy(EXPORT_ROOT.resolve(name), response.getOutputStream());
    }

    @GetMapping("/exports/v2/download")
    public void downloadExportV2(@RequestParam("file") String name, HttpServletResponse response) throws IOException {
        Path target = EXPORT_ROOT.resolve(name).normalize();
        if (!target.startsWith(EXPORT_ROOT) || !Files.isRegularFile(target)) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setContentType("text/csv");
        // safe: CWE-22
        Files.copy(target, response.getOutputStream());
    }

    @PostMapping("/exports/sales")
    public ResponseEntity<String> exportSales(@RequestParam("eventId") long eventId, @RequestParam("fileName") String fileName) throws IOException {
        List<ReportRow> rows = reports.salesForEvent(eventId);
        File out = new File(EXPORT_ROOT.toFile(), fileName);
        // vuln: CWE-22
        Files.write(out.toPath(), reports.toCsv(rows));
        return ResponseEntity.ok(out.getName());
    }

    @PostMapping("/exports/sales/v2")
    public ResponseEntity<String> exportSalesV2(@RequestParam("eventId") long eventId) throws IOException {
        List<ReportRow> rows = reports.salesForEvent(eventId);
        String fileName = "sales-" + eventId + "-" + LocalDate.now().format(DateTimeFormatter.BASIC_ISO_DATE) + ".csv";
        // safe: CWE-22
        Files.write(EXPORT_ROOT.resolve(fileName), reports.toCsv(rows));
        return ResponseEntity.ok(fileName);
    }

    // ---- dynamic pricing rules and report formulas ------------------------------------------

    @PostMapping("/pricing/rules/test")
    public ResponseEntity<Object> testPricingRule(@RequestBody PricingRule rule) throws ScriptException {
        Bindings b = js.createBindings();
        b.put("basePrice", rule.getBasePrice());
        b.put("soldPct", rule.getSoldPct());
        // vuln: CWE-94
        Object price = js.eval(rule.getExpression(), b);
        return ResponseEntity.ok(price);
    }

    @PostMapping("/pricing/surge")
    public ResponseEntity<Object> surge(@RequestParam("basePrice") double basePrice, @RequestParam("soldPct") double soldPct) throws ScriptException {
        Bindings b = js.createBindings();
        b.put("basePrice", basePrice);
        b.put("soldPct", soldPct);
        // safe: CWE-94
        Object price = js.eval("soldPct > 0.9 ? basePrice * 1.25 : (soldPct > 0.75 ? basePrice * 1.1 : basePrice)", b);
        return ResponseEntity.ok(price);
    }

    @PostMapping("/pricing/fees")
    public ResponseEntity<Object> fees(@RequestParam("subtotal") String subtotal, @RequestParam("region") String region) throws ScriptException {
        String script = "var subtotal = " + subtotal + "; var region = '" + region + "'; subtotal * (region == 'EU' ? 0.12 : 0.1);";
        // vuln: CWE-94
        return ResponseEntity.ok(js.eval(script));
    }

    @PostMapping("/pricing/fees/v2")
    public ResponseEntity<Object> feesV2(@RequestParam("subtotal") String subtotal, @RequestParam("region") String region) throws ScriptException {
        double amount = Double.parseDouble(subtotal);
        String rate = "EU".equals(region) ? "0.12" : "0.1";
        // safe: CWE-94
        return ResponseEntity.ok(js.eval("var subtotal = " + amount + "; subtotal * " + rate + ";"));
    }

    @PostMapping("/reports/formula")
    public ResponseEntity<List<Object>> reportFormula(@RequestParam("eventId") long eventId, @RequestParam("formula") String formula) {
        List<Object> values = new ArrayList<>();
        for (ReportRow row : reports.salesForEvent(eventId)) {
            StandardEvaluationContext ctx = new StandardEvaluationContext(row);
            // vuln: CWE-94
            values.add(spel.parseExpression(formula).getValue(ctx));
        }
        return ResponseEntity.ok(values);
    }

    @PostMapping("/reports/formula/v2")
    public ResponseEntity<List<Object>> reportFormulaV2(@RequestParam("eventId") long eventId, @RequestParam("formula") String formula) {
        Expression expr = spel.parseExpression(formula);
        EvaluationContext ctx = SimpleEvaluationContext.forReadOnlyDataBinding().build();
        List<Object> values = new ArrayList<>();
        for (ReportRow row : reports.salesForEvent(eventId)) {
            // safe: CWE-94
            values.add(expr.getValue(ctx, row));
        }
        return ResponseEntity.ok(values);
    }

    @PostMapping("/reports/title")
    public ResponseEntity<String> reportTitle(@RequestBody Map<String, String> body) {
        String template = body.getOrDefault("titleTemplate", "Sales for #{name}");
        // vuln: CWE-94
        String title = spel.parseExpression(template, new TemplateParserContext()).getValue(new StandardEvaluationContext(reports.currentEvent()), String.class);
        return ResponseEntity.ok(title);
    }

    @PostMapping("/reports/column")
    public ResponseEntity<List<Object>> reportColumn(@RequestParam("eventId") long eventId, @RequestParam("column") String column) {
        Expression expr = spel.parseExpression("ticketsSold * unitPriceCents");
        if ("gross".equals(column)) {
            expr = spel.parseExpression("ticketsSold * unitPriceCents + feesCents");
        }
        List<Object> values = new ArrayList<>();
        for (ReportRow row : reports.salesForEvent(eventId)) {
            // safe: CWE-94
            values.add(expr.getValue(new StandardEvaluationContext(row)));
        }
        return ResponseEntity.ok(values);
    }

    @PostMapping("/jobs/hook")
    public ResponseEntity<Object> jobHook(@RequestParam("job") String job, @RequestParam("hook") String hook) throws ScriptException {
        ScriptEngine engine = new ScriptEngineManager().getEngineByName("groovy");
        engine.put("job", reports.findJob(job));
        // vuln: CWE-94
        return ResponseEntity.ok(engine.eval("job.beforeRun { " + hook + " }"));
    }

    @PostMapping("/jobs/hook/v2")
    public ResponseEntity<Object> jobHookV2(@RequestParam("job") String job, @RequestParam("hook") String hook) throws ScriptException {
        ScriptEngine engine = new ScriptEngineManager().getEngineByName("groovy");
        engine.put("job", reports.findJob(job));
        engine.put("hookName", hook);
        // safe: CWE-94
        return ResponseEntity.ok(engine.eval("job.beforeRun(job.registeredHook(hookName))"));
    }
}
