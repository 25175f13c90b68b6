package org.citylibrary.notices;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.inject.Inject;
import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import javax.ws.rs.Consumes;
import javax.ws.rs.FormParam;
import javax.ws.rs.GET;
import javax.ws.rs.HeaderParam;
import javax.ws.rs.POST;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.common.TemplateParserContext;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;

/**
 * Overdue / hold-ready notices and the staff-editable rules behind them: fine formulas,
 * event eligibility conditions, notice templates and the attachments sent with notices.
 */
@javax.ws.rs.Path("/notices")
@Produces(MediaType.APPLICATION_JSON)
public class NoticeRulesResource {

    private static final java.nio.file.Path ATTACHMENT_DIR = Paths.get("/srv/library/notice-attachments").toAbsolutePath().normalize();
    private static final Pattern ATTACHMENT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,80}\\.pdf");

    private static final String OVERDUE_TEMPLATE =
            "Dear #{#member.displayName}, the item \"#{#loan.title}\" was due on #{#loan.dueDate}. Current fine: #{#fine}.";

    private static final String FINE_SCRIPT =
            "var days = Math.max(0, daysOverdue - graceDays); Math.min(days * dailyRate, maxFine);";

    private static final Map<String, String> SORT_EXPRESSIONS = Map.of(
            "due", "dueDate",
            "title", "title.toLowerCase()",
            "member", "member.lastName",
            "fine", "fineAmount");

    private final ExpressionParser parser = new SpelExpressionParser();
    private final ScriptEngineManager engines = new ScriptEngineManager();

    @Inject
    private NoticeRepository notices;

    @Inject
    private LoanQueryService loans;

    // ---------------------------------------------------------------- fine formulas

    @POST
    @javax.ws.rs.Path("/fine-rules/preview")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response previewFineRule(@FormParam("formula") String formula, @FormParam("daysOverdue") int daysOverdue)
            throws ScriptException {
        ScriptEngine js = engines.getEngineByName("javascript");
        // vuln: CWE-95
        Object fine = js.eval("var daysOverdue = " + daysOverdue + "; " + formula);
        return Response.ok(Map.of("fine", String.valueOf(fine))).build();
    }

    @POST
    @javax.ws.rs.Path("/fine-rules/calculate")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response calculateFine(@FormParam("daysOverdue") int daysOverdue, @FormParam("rate") String rate)
            throws ScriptException {
        ScriptEngine js = engines.getEngineByName("javascript");
        Bindings bindings = js.createBindings();
        bindings.put("daysOverdue", daysOverdue);
        bindings.put("graceDays", 2);
        bindings.put("dailyRate", new BigDecimal(rate).doubleValue());
        bindings.put("maxFine", 20.0);
        // safe: CWE-95
        Object fine = js.eval(FINE_SCRIPT, bindings);
        return Response.ok(Map.of("fine", String.valueOf(fine))).build();
    }

    // ---------------------------------------------------------------- event eligibility

    @POST
    @javax.ws.rs.Path("/events/{eventId}/eligibility")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response checkEligibility(@PathParam("eventId") long eventId, EligibilityCheck check) throws ScriptException {
        ScriptEngine engine = engines.getEngineByName("groovy");
        engine.put("member", check.getMember());
        engine.put("eventId", eventId);
        String condition = check.getCondition();
        // vuln: CWE-95
        Object allowed = engine.eval(condition);
        return Response.ok(Map.of("eligible", Boolean.TRUE.equals(allowed))).build();
    }

    @POST
    @javax.ws.rs.Path("/events/{eventId}/eligibility/standard")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response checkStandardEligibility(@PathParam("eventId") long eventId, EligibilityCheck check) throws ScriptException {
        ScriptEngine engine = engines.getEngineByName("groovy");
        engine.put("member", check.getMember());
        engine.put("minAge", check.getMinimumAge());
        String condition = "member.age >= minAge && !member.blocked";
        // safe: CWE-95
        Object allowed = engine.eval(condition);
        return Response.ok(Map.of("eligible", Boolean.TRUE.equals(allowed))).build();
    }

    @GET
    @javax.ws.rs.Path("/loans/computed")
    public Response computedColumn(@HeaderParam("X-Column-Script") String script, @QueryParam("memberId") long memberId)
            throws ScriptException {
        ScriptEngine js = engines.getEngineByName("nashorn");
        List<Object> values = new java.util.ArrayList<>();
        for (Object loan : loans.forMember(memberId)) {
            js.put("loan", loan);
            // vuln: CWE-95
            values.add(js.eval(script));
        }
        return Response.ok(values).build();
    }

    // ---------------------------------------------------------------- notice templates (SpEL)

    @POST
    @javax.ws.rs.Path("/templates/render")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_PLAIN)
    public String renderTemplate(@FormParam("template") String template, @FormParam("loanId") long loanId) {
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        ctx.setVariable("loan", loans.byId(loanId));
        ctx.setVariable("member", loans.memberForLoan(loanId));
        ctx.setVariable("fine", loans.fineForLoan(loanId));
        // vuln: CWE-94
        return parser.parseExpression(template, new TemplateParserContext()).getValue(ctx, String.class);
    }

    @POST
    @javax.ws.rs.Path("/templates/overdue")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_PLAIN)
    public String renderOverdue(@FormParam("loanId") long loanId) {
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        ctx.setVariable("loan", loans.byId(loanId));
        ctx.setVariable("member", loans.memberForLoan(loanId));
        ctx.setVariable("fine", loans.fineForLoan(loanId));
        // safe: CWE-94
        return parser.parseExpression(OVERDUE_TEMPLATE, new TemplateParserContext()).getValue(ctx, String.class);
    }

    @GET
    @javax.ws.rs.Path("/overdue")
    public Response overdueSorted(@QueryParam("sort") String sort) {
        // vuln: CWE-94
        Expression key = parser.parseExpression(sort);
        List<Object> rows = notices.overdue().stream()
                .sorted(Comparator.comparing(row -> String.valueOf(key.getValue(row))))
                .collect(Collectors.toList());
        return Response.ok(rows).build();
    }

    @GET
    @javax.ws.rs.Path("/overdue/sorted")
    public Response overdueSortedAllowListed(@QueryParam("sort") String sort) {
        // safe: CWE-94
        Expression key = parser.parseExpression(SORT_EXPRESSIONS.getOrDefault(sort, "dueDate"));
        List<Object> rows = notices.overdue().stream()
                .sorted(Comparator.comparing(row -> String.valueOf(key.getValue(row))))
                .collect(Collectors.toList());
        return Response.ok(rows).build();
    }

    @POST
    @javax.ws.rs.Path("/rules/{ruleId}/test")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response testStoredRule(@PathParam("ruleId") long ruleId, Map<String, Object> sample) {
        String expression = notices.ruleExpression(ruleId);
        if (sample.containsKey("override")) {
            expression = String.valueOf(sample.get("override"));
        }
        EvaluationContext ctx = new StandardEvaluationContext(sample);
        // vuln: CWE-94
        Object result = parser.parseExpression(expression).getValue(ctx);
        return Response.ok(Map.of("result", String.valueOf(result))).build();
    }

    @POST
    @javax.ws.rs.Path("/rules/hold-ready/test")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response testHoldReadyRule(Map<String, Object> sample) {
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        ctx.setVariable("sample", sample);
        // safe: CWE-94
        Object result = parser.parseExpression("#sample['pickupBranch'] != null and #sample['daysWaiting'] > 3").getValue(ctx);
        return Response.ok(Map.of("result", String.valueOf(result))).build();
    }

    // ---------------------------------------------------------------- attachments

    @GET
    @javax.ws.rs.Path("/attachments/{name: .+}")
    @Produces("application/pdf")
    public Response attachment(@PathParam("name") String name) throws IOException {
        File file = new File(ATTACHMENT_DIR.toFile(), name);
        if (!file.isFile()) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        // vuln: CWE-22
        InputStream in = Files.newInputStream(file.toPath());
        return Response.ok(in).build();
    }

    @GET
    @javax.ws.rs.Path("/attachments/checked/{name}")
    @Produces("application/pdf")
    public Response attachmentChecked(@PathParam("name") String name) throws IOException {
        if (!ATTACHMENT_NAME.matcher(name).matches()) {
            return Response.status(Response.Status.BAD_REQUEST).build();
        }
        java.nio.file.Path file = ATTACHMENT_DIR.resolve(name);
        // safe: CWE-22
        InputStream in = Files.newInputStream(file);
        return Response.ok(in).build();
    }

    @POST
    @javax.ws.rs.Path("/attachments/remove")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response removeAttachment(@FormParam("file") String fileName) throws IOException {
        // vuln: CWE-22
        Files.deleteIfExists(Paths.get(ATTACHMENT_DIR.toString(), fileName));
        return Response.noContent().build();
    }

    @POST
    @javax.ws.rs.Path("/attachments/remove-by-id")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response removeAttachmentById(@FormParam("attachmentId") long attachmentId) throws IOException {
        String stored = notices.attachmentFileName(attachmentId);
        java.nio.file.Path target = ATTACHMENT_DIR.resolve(Paths.get(stored).getFileName().toString()).normalize();
        // safe: CWE-22
        Files.deleteIfExists(target);
        return Response.noContent().build();
    }

    public static class EligibilityCheck {
        private Map<String, Object> member;
        private String condition;
        private int minimumAge;

        public Map<String, Object> getMember() { return member; }
        public void setMember(Map<String, Object> member) { this.member = member; }
        public String getCondition() { return condition; }
        public void setCondition(String condition) { this.condition = condition; }
        public int getMinimumAge() { return minimumAge; }
        public void setMinimumAge(int minimumAge) { this.minimumAge = minimumAge; }
    }
}
