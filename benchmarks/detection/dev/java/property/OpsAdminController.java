package com.rentwise.admin;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import javax.servlet.http.HttpServletRequest;

import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.common.TemplateParserContext;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin and operations tools: database backups and restores, log search, export
 * bundles, pricing/late-fee formulas, automation rules and maintenance dispatch.
 */
@RestController
@RequestMapping("/admin/ops")
@PreAuthorize("hasRole('OPS')")
public class OpsAdminController {

    private static final String BACKUP_DIR = "/var/backups/rentwise";
    private static final String APP_LOG = "/var/log/rentwise/app.log";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final ExpressionParser PARSER = new SpelExpressionParser();

    private static final String ESCALATION_SCRIPT =
            "var increase = rent * Math.min(cpi, capPercent) / 100; Math.round((rent + increase) * 100) / 100;";

    private static final Map<String, String> PREDEFINED_RULES = Map.of(
            "overdue-7", "daysOverdue > 7 and balance > 0",
            "high-balance", "balance > monthlyRent * 2",
            "lease-ending", "daysUntilLeaseEnd < 60");

    private static final String NOTICE_TEMPLATE =
            "Dear #{#tenant}, your rent of #{#amount} for #{#unit} is now #{#days} days overdue.";

    private final Random random = new Random();
    private final ScriptEngine engine = new ScriptEngineManager().getEngineByName("javascript");
    private final TenantLedger ledger;
    private final VendorDirectory vendors;

    public OpsAdminController(TenantLedger ledger, VendorDirectory vendors) {
        this.ledger = ledger;
        this.vendors = vendors;
    }

    // ---- backups ------------------------------------------------------------------------

    @PostMapping("/backups")
    public Map<String, Object> createBackup(@RequestParam("label") String label) throws Exception {
        String cmd = "pg_dump --no-owner rentwise | gzip > " + BACKUP_DIR + "/" + label + ".sql.gz";
        // vuln: CWE-78
        Process p = new ProcessBuilder("bash", "-c", cmd).inheritIO().start();
        return Map.of("exit", p.waitFor());
    }

    @PostMapping("/backups/v2")
    public Map<String, Object> createBackupV2(@RequestParam("label") String label) throws Exception {
        if (!label.matches("^[a-z0-9-]{1,40}$")) {
            throw new IllegalArgumentException("invalid label");
        }
        String outFile = BACKUP_DIR + "/" + label + "-" + LocalDateTime.now().format(STAMP) + ".dump";
        // safe: CWE-78
        Process p = new ProcessBuilder("pg_dump", "--no-owner", "--format=custom", "--file", outFile, "rentwise").inheritIO().start();
        return Map.of("exit", p.waitFor(), "file", outFile);
    }

    @PostMapping("/backups/prune")
    public Map<String, Object> pruneBackups(@RequestParam("olderThanDays") String olderThanDays) throws Exception {
        int days = Integer.parseInt(olderThanDays);
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "find " + BACKUP_DIR + " -name '*.dump' -mtime +" + days + " -delete"});
        return Map.of("exit", p.waitFor());
    }

    @PostMapping("/backups/restore")
    public Map<String, Object> stageRestore(HttpServletRequest request) throws IOException {
        String file = request.getParameter("file");
        Path staging = Files.createTempFile("restore", ".dump");
        // vuln: CWE-22
        Files.copy(Paths.get(BACKUP_DIR, file), staging, StandardCopyOption.REPLACE_EXISTING);
        return Map.of("staged", staging.toString());
    }

    @PostMapping("/backups/restore/v2")
    public Map<String, Object> stageRestoreV2(HttpServletRequest request) throws IOException {
        String file = request.getParameter("file");
        Path chosen = null;
        try (Stream<Path> listing = Files.list(Paths.get(BACKUP_DIR))) {
            for (Path candidate : (Iterable<Path>) listing::iterator) {
                if (candidate.getFileName().toString().equals(file)) {
                    chosen = candidate;
                }
            }
        }
        if (chosen == null) {
            throw new IllegalArgumentException("no such backup");
        }
        Path staging = Files.createTempFile("restore", ".dump");
        // safe: CWE-22
        Files.copy(chosen, staging, StandardCopyOption.REPLACE_EXISTING);
        return Map.of("staged", staging.toString());
    }

    @GetMapping("/disk")
    public Map<String, Object> diskUsage() throws Exception {
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec("df -h /var/rentwise");
        try (InputStream in = p.getInputStream()) {
            return Map.of("df", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    // ---- log search and export bundles ----------------------------------------------------

    @GetMapping("/logs")
    public Map<String, Object> searchLogs(@RequestParam("q") String term) throws Exception {
        return Map.of("lines", runShell("grep -i '" + term + "' " + APP_LOG + " | tail -n 200"));
    }

    @GetMapping("/logs/v2")
    public Map<String, Object> searchLogsV2(@RequestParam("q") String term) throws Exception {
        // safe: CWE-78
        Process p = new ProcessBuilder("grep", "-i", "-m", "200", "-e", term, APP_LOG).start();
        try (InputStream in = p.getInputStream()) {
            return Map.of("lines", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @PostMapping("/exports/{name}/bundle")
    public Map<String, Object> bundleExport(@PathVariable String name) throws Exception {
        String cmd = String.format("tar czf /var/rentwise/bundles/%s.tgz -C /var/rentwise/exports %s", name, name);
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"sh", "-c", cmd});
        p.waitFor(5, TimeUnit.MINUTES);
        return Map.of("bundle", name + ".tgz");
    }

    private static String runShell(String command) throws IOException, InterruptedException {
        // vuln: CWE-78
        Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        }
    }

    // ---- pricing and fee formulas ------------------------------------------------------

    @PostMapping("/pricing/escalation/preview")
    public Map<String, Object> previewEscalation(@RequestParam("formula") String formula,
                                                 @RequestParam("rent") BigDecimal rent) throws ScriptException {
        Bindings bindings = engine.createBindings();
        bindings.put("rent", rent.doubleValue());
        bindings.put("cpi", ledger.currentCpi());
        // vuln: CWE-94
        Object newRent = engine.eval(formula, bindings);
        return Map.of("newRent", newRent);
    }

    @PostMapping("/pricing/escalation/preview/v2")
    public Map<String, Object> previewEscalationV2(@RequestParam("capPercent") double capPercent,
                                                   @RequestParam("rent") BigDecimal rent) throws ScriptException {
        Bindings bindings = engine.createBindings();
        bindings.put("rent", rent.doubleValue());
        bindings.put("cpi", ledger.currentCpi());
        bindings.put("capPercent", capPercent);
        // safe: CWE-94
        Object newRent = engine.eval(ESCALATION_SCRIPT, bindings);
        return Map.of("newRent", newRent);
    }

    @PostMapping("/fees/late/simulate")
    public Map<String, Object> simulateLateFee(@RequestBody LateFeePolicy policy) throws ScriptException {
        String script = "var rent = " + policy.getMonthlyRent() + "; var days = " + policy.getDaysLate()
                + "; var fee = " + policy.getFeeExpression() + "; fee;";
        // vuln: CWE-94
        Object fee = engine.eval(script);
        return Map.of("fee", fee);
    }

    @PostMapping("/fees/late/simulate/v2")
    public Map<String, Object> simulateLateFeeV2(@RequestBody LateFeePolicy policy) throws ScriptException {
        Bindings bindings = engine.createBindings();
        bindings.put("rent", policy.getMonthlyRent().doubleValue());
        bindings.put("days", policy.getDaysLate());
        bindings.put("flatFee", policy.getFlatFee().doubleValue());
        // safe: CWE-94
        Object fee = engine.eval("days <= 5 ? 0 : Math.min(flatFee + (days - 5) * rent * 0.001, rent * 0.05)", bindings);
        return Map.of("fee", fee);
    }

    // ---- automation rules and tenant notices -----------------------------------------------

    @GetMapping("/tenants/filter")
    public List<Long> filterTenants(HttpServletRequest request) {
        String filter = request.getParameter("filter");
        List<Long> matches = new ArrayList<>();
        for (TenantAccount account : ledger.allAccounts()) {
            StandardEvaluationContext ctx = new StandardEvaluationContext(account);
            // vuln: CWE-94
            if (Boolean.TRUE.equals(PARSER.parseExpression(filter).getValue(ctx, Boolean.class))) {
                matches.add(account.getId());
            }
        }
        return matches;
    }

    @GetMapping("/tenants/filter/v2")
    public List<Long> filterTenantsV2(HttpServletRequest request) {
        String filter = request.getParameter("filter");
        Expression expression = PARSER.parseExpression(filter);
        EvaluationContext ctx = SimpleEvaluationContext.forReadOnlyDataBinding().build();
        List<Long> matches = new ArrayList<>();
        for (TenantAccount account : ledger.allAccounts()) {
            // safe: CWE-94
            if (Boolean.TRUE.equals(expression.getValue(ctx, account, Boolean.class))) {
                matches.add(account.getId());
            }
        }
        return matches;
    }

    @PostMapping("/rules/test")
    public Map<String, Object> testRule(@RequestBody AutomationRule rule) {
        TenantAccount sample = ledger.sampleAccount();
        EvaluationContext ctx = new StandardEvaluationContext(sample);
        // vuln: CWE-95
        Boolean fires = PARSER.parseExpression(rule.getCondition()).getValue(ctx, Boolean.class);
        return Map.of("fires", fires);
    }

    @PostMapping("/rules/test/v2")
    public Map<String, Object> testRuleV2(@RequestBody AutomationRule rule) {
        String condition = PREDEFINED_RULES.get(rule.getRuleName());
        if (condition == null) {
            throw new IllegalArgumentException("unknown rule");
        }
        TenantAccount sample = ledger.sampleAccount();
        EvaluationContext ctx = new StandardEvaluationContext(sample);
        // safe: CWE-95
        Boolean fires = PARSER.parseExpression(condition).getValue(ctx, Boolean.class);
        return Map.of("fires", fires);
    }

    @PostMapping("/notices/preview")
    public Map<String, Object> previewNotice(@RequestParam("template") String template,
                                             @RequestParam("tenantId") long tenantId) {
        TenantAccount account = ledger.account(tenantId);
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        ctx.setVariable("tenant", account.getFullName());
        ctx.setVariable("amount", account.getBalance());
        ctx.setVariable("unit", account.getUnitLabel());
        ctx.setVariable("days", account.getDaysOverdue());
        // vuln: CWE-94
        String body = PARSER.parseExpression(template, new TemplateParserContext()).getValue(ctx, String.class);
        return Map.of("body", body);
    }

    @PostMapping("/notices/preview/v2")
    public Map<String, Object> previewNoticeV2(@RequestParam("tenantName") String tenantName,
                                               @RequestParam("tenantId") long tenantId) {
        TenantAccount account = ledger.account(tenantId);
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        ctx.setVariable("tenant", tenantName);
        ctx.setVariable("amount", account.getBalance());
        ctx.setVariable("unit", account.getUnitLabel());
        ctx.setVariable("days", account.getDaysOverdue());
        // safe: CWE-94
        String body = PARSER.parseExpression(NOTICE_TEMPLATE, new TemplateParserContext()).getValue(ctx, String.class);
        return Map.of("body", body);
    }

    // ---- maintenance dispatch ------------------------------------------------------------

    @PostMapping("/maintenance/{ticketId}/dispatch")
    public Map<String, Object> dispatch(@PathVariable long ticketId) {
        List<String> onCall = new ArrayList<>(vendors.onCallFor(ticketId));
        // safe: CWE-330
        Collections.shuffle(onCall, random);
        vendors.offerInOrder(ticketId, onCall);
        return Map.of("offered", onCall.size());
    }

    public static class LateFeePolicy {
        private BigDecimal monthlyRent;
        private int daysLate;
        private BigDecimal flatFee;
        private String feeExpression;

        public BigDecimal getMonthlyRent() { return monthlyRent; }
        public int getDaysLate() { return daysLate; }
        public BigDecimal getFlatFee() { return flatFee; }
        public String getFeeExpression() { return feeExpression; }
    }

    public static class AutomationRule {
        private String ruleName;
        private String condition;

        public String getRuleName() { return ruleName; }
        public String getCondition() { return condition; }
    }

    public interface TenantAccount {
        long getId();
        String getFullName();
        BigDecimal getBalance();
        String getUnitLabel();
        int getDaysOverdue();
    }

    public interface TenantLedger {
        double currentCpi();
        List<TenantAccount> allAccounts();
        TenantAccount sampleAccount();
        TenantAccount account(long tenantId);
    }

    public interface VendorDirectory {
        List<String> onCallFor(long ticketId);
        void offerInOrder(long ticketId, List<String> vendors);
    }
}
