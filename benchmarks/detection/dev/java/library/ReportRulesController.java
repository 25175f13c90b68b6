package org.citylibrary.backoffice.reports;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Report builder and fine-policy rules for the back office. Branch managers
 * define computed columns for exports and preview fine calculations.
 */
@RestController
@RequestMapping("/staff/reports")
@PreAuthorize("hasRole('BRANCH_MANAGER')")
public class ReportRulesController {

    private final ExpressionParser parser = new SpelExpressionParser();
    private final ScriptEngineManager engines = new ScriptEngineManager();
    private final ReportDataService data;

    public ReportRulesController(ReportDataService data) {
        this.data = data;
    }

    @PostMapping("/computed-column")
    public List<Object> computedColumn(@RequestBody ComputedColumn column) {
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        return data.loansForBranch(column.branch).stream()
                .map(row -> {
                    ctx.setRootObject(row);
                    // vuln: CWE-94
                    return parser.parseExpression(column.expression).getValue(ctx);
                })
                .toList();
    }

    @GetMapping("/filter-preview")
    public Object filterPreview(@RequestParam("where") String where) {
        // vuln: CWE-94
        return parser.parseExpression("#loans.?[" + where + "]").getValue(data.previewContext());
    }

    @PostMapping("/computed-column/safe-preview")
    public List<Object> computedColumnReadOnly(@RequestBody ComputedColumn column) {
        SimpleEvaluationContext ctx = SimpleEvaluationContext.forReadOnlyDataBinding().build();
        return data.loansForBranch(column.branch).stream()
                // safe: CWE-94
                .map(row -> parser.parseExpression(column.expression).getValue(ctx, row))
                .toList();
    }

    @GetMapping("/overdue-summary")
    public Object overdueSummary(@RequestParam("branch") String branch) {
        StandardEvaluationContext ctx = new StandardEvaluationContext(data.branchStats(branch));
        ctx.setVariable("threshold", 30);
        // safe: CWE-94
        return parser.parseExpression("overdueCount > #threshold ? 'attention' : 'ok'").getValue(ctx);
    }

    @GetMapping("/greeting")
    public String greeting(@RequestHeader(value = "X-Staff-Display", defaultValue = "colleague") String displayName) {
        String template = "'Good morning, " + displayName + "'";
        // vuln: CWE-94
        return parser.parseExpression(template).getValue(String.class);
    }

    // --- fine policy scripts ------------------------------------------------------------

    @PostMapping("/fine-policy/preview")
    public Object previewFinePolicy(@RequestBody Map<String, String> body) throws ScriptException {
        ScriptEngine js = engines.getEngineByName("javascript");
        Bindings bindings = js.createBindings();
        bindings.put("daysOverdue", Integer.parseInt(body.getOrDefault("daysOverdue", "0")));
        bindings.put("itemType", body.get("itemType"));
        // vuln: CWE-95
        return js.eval(body.get("formula"), bindings);
    }

    @PostMapping("/fine-policy/calc")
    public Object calculateFine(@RequestParam("itemType") String itemType,
                                @RequestParam("daysOverdue") int daysOverdue) throws ScriptException, IOException {
        ScriptEngine js = engines.getEngineByName("javascript");
        Bindings bindings = js.createBindings();
        bindings.put("itemType", itemType);
        bindings.put("daysOverdue", daysOverdue);
        try (Reader policy = new InputStreamReader(getClass().getResourceAsStream("/policies/fines.js"), StandardCharsets.UTF_8)) {
            // safe: CWE-95
            return js.eval(policy, bindings);
        }
    }

    @PostMapping("/fine-policy/cap")
    public Object capFine(@RequestParam("amount") BigDecimal amount,
                          @RequestParam("memberType") String memberType) throws ScriptException {
        ScriptEngine js = engines.getEngineByName("nashorn");
        js.put("amount", amount.doubleValue());
        js.put("memberType", memberType);
        // safe: CWE-95
        return js.eval("memberType === 'CHILD' ? Math.min(amount, 5) : Math.min(amount, 25)");
    }

    @PostMapping("/fine-policy/waiver")
    public Object waiverRule(@RequestParam("memberType") String memberType,
                             @RequestParam("reason") String reason) throws ScriptException {
        ScriptEngine js = engines.getEngineByExtension("js");
        String script = "var reason = '" + reason + "'; reason.length > 0 && '" + memberType + "' !== 'STAFF'";
        // vuln: CWE-95
        return js.eval(script);
    }

    @PostMapping("/fine-policy/rounding")
    public Object rounding(@RequestParam("amount") String amount) throws ScriptException {
        double value = Double.parseDouble(amount);
        ScriptEngine js = engines.getEngineByName("javascript");
        // safe: CWE-95
        return js.eval("Math.round(" + value + " * 4) / 4");
    }

    public static class ComputedColumn {
        public String branch;
        public String expression;
    }

    public interface ReportDataService {
        List<Object> loansForBranch(String branch);
        StandardEvaluationContext previewContext();
        Object branchStats(String branch);
    }
}
