package gov.riverton.fees;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpSession;

import groovy.lang.Binding;
import groovy.lang.GroovyShell;
import ognl.Ognl;
import ognl.OgnlContext;
import ognl.OgnlException;
import org.mvel2.MVEL;
import org.springframework.core.io.ClassPathResource;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.util.StreamUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Fee-calculation rules. Finance maintains one rule script per fee category in the
 * fee_rules table; clerks can preview formulas and quote fees for a permit application
 * that a resident submitted through the portal.
 */
@RestController
@RequestMapping("/clerk/fees")
public class FeeRuleController {

    enum FeeCategory { RESIDENTIAL_ADDITION, NEW_RESIDENTIAL, COMMERCIAL_TI, DEMOLITION, SIGN, FENCE, SOLAR }

    /** What the resident typed into the permit application; all strings as received from the portal. */
    public static class PermitApplication {
        private String category;
        private String squareFootage;
        private String valuation;
        private String occupancy;
        private String notes;

        public String getCategory() { return category; }
        public void setCategory(String category) { this.category = category; }
        public String getSquareFootage() { return squareFootage; }
        public void setSquareFootage(String squareFootage) { this.squareFootage = squareFootage; }
        public String getValuation() { return valuation; }
        public void setValuation(String valuation) { this.valuation = valuation; }
        public String getOccupancy() { return occupancy; }
        public void setOccupancy(String occupancy) { this.occupancy = occupancy; }
        public String getNotes() { return notes; }
        public void setNotes(String notes) { this.notes = notes; }
    }

    public static class FormulaPreview {
        private String formula;
        private BigDecimal valuation;
        private BigDecimal squareFootage;

        public String getFormula() { return formula; }
        public void setFormula(String formula) { this.formula = formula; }
        public BigDecimal getValuation() { return valuation; }
        public void setValuation(BigDecimal valuation) { this.valuation = valuation; }
        public BigDecimal getSquareFootage() { return squareFootage; }
        public void setSquareFootage(BigDecimal squareFootage) { this.squareFootage = squareFootage; }
    }

    /** Root object exposed to expression-based rules. */
    public static class FeeInputs implements Serializable {
        private static final long serialVersionUID = 1L;
        private final BigDecimal valuation;
        private final BigDecimal squareFootage;
        private final String occupancy;

        public FeeInputs(BigDecimal valuation, BigDecimal squareFootage, String occupancy) {
            this.valuation = valuation;
            this.squareFootage = squareFootage;
            this.occupancy = occupancy;
        }

        public BigDecimal getValuation() { return valuation; }
        public BigDecimal getSquareFootage() { return squareFootage; }
        public String getOccupancy() { return occupancy; }
    }

    private static final ExpressionParser SPEL = new SpelExpressionParser();
    private static final Map<String, String> OGNL_FEE_FIELDS = Map.of(
            "plan-review", "valuation * 0.0065",
            "technology", "valuation * 0.0025 + 12",
            "records", "squareFootage * 0.02",
            "state-surcharge", "valuation * 0.0004");
    private static final Map<FeeCategory, Serializable> COMPILED_SURCHARGES = new HashMap<>();
    private static final String SOLAR_CREDIT_SCRIPT;

    static {
        COMPILED_SURCHARGES.put(FeeCategory.COMMERCIAL_TI, MVEL.compileExpression("valuation * 0.004 + (squareFootage > 10000 ? 250 : 0)"));
        COMPILED_SURCHARGES.put(FeeCategory.NEW_RESIDENTIAL, MVEL.compileExpression("squareFootage * 0.11"));
        COMPILED_SURCHARGES.put(FeeCategory.DEMOLITION, MVEL.compileExpression("150"));
        try (InputStream in = new ClassPathResource("fees/solar-credit.groovy").getInputStream()) {
            SOLAR_CREDIT_SCRIPT = StreamUtils.copyToString(in, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final JdbcTemplate jdbc;
    private final ScriptEngine engine;

    public FeeRuleController(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.engine = new ScriptEngineManager().getEngineByName("nashorn");
    }

    // ------------------------------------------------------------------ rule lookup

    private String ruleScript(FeeCategory category) {
        // safe: CWE-89
        return jdbc.queryForObject("SELECT script FROM fee_rules WHERE category = ? AND effective_from <= CURRENT_DATE ORDER BY effective_from DESC LIMIT 1", String.class, category.name());
    }

    @GetMapping("/rules/{code}")
    @PreAuthorize("hasRole('CLERK')")
    public Map<String, Object> showRule(@PathVariable("code") String code, @RequestParam(value = "asOf", required = false) String asOf) {
        String effective = asOf == null ? "CURRENT_DATE" : "'" + asOf + "'";
        // vuln: CWE-89
        return jdbc.queryForMap("SELECT category, script, effective_from, author FROM fee_rules WHERE category = '" + code + "' AND effective_from <= " + effective + " ORDER BY effective_from DESC LIMIT 1");
    }

    // ------------------------------------------------------------------ quotes for resident applications

    @PostMapping("/quote")
    @PreAuthorize("hasRole('CLERK')")
    public Map<String, Object> quote(@RequestBody PermitApplication app, HttpSession session) throws ScriptException {
        FeeCategory category = FeeCategory.valueOf(app.getCategory().toUpperCase(Locale.ROOT));
        String prelude = "var sqft = " + app.getSquareFootage() + "; var valuation = " + app.getValuation() + "; var occupancy = '" + app.getOccupancy() + "';\n";
        // vuln: CWE-94
        Object fee = engine.eval(prelude + ruleScript(category));
        // safe: CWE-501
        session.setAttribute("fees.lastCategory", category.name());
        return Map.of("category", category, "fee", fee);
    }

    @PostMapping("/quote/v2")
    @PreAuthorize("hasRole('CLERK')")
    public Map<String, Object> quoteV2(@RequestBody PermitApplication app) throws ScriptException {
        FeeCategory category = FeeCategory.valueOf(app.getCategory().toUpperCase(Locale.ROOT));
        Bindings bindings = engine.createBindings();
        bindings.put("sqft", new BigDecimal(app.getSquareFootage().trim()));
        bindings.put("valuation", new BigDecimal(app.getValuation().trim()));
        bindings.put("occupancy", app.getOccupancy());
        // safe: CWE-94
        Object fee = engine.eval(ruleScript(category), bindings);
        return Map.of("category", category, "fee", fee);
    }

    @PostMapping("/quote/surcharge")
    public Map<String, Object> surcharge(@RequestBody PermitApplication app) {
        FeeCategory category = FeeCategory.valueOf(app.getCategory().toUpperCase(Locale.ROOT));
        Serializable compiled = COMPILED_SURCHARGES.get(category);
        if (compiled == null) {
            return Map.of("category", category, "surcharge", BigDecimal.ZERO);
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("valuation", new BigDecimal(app.getValuation().trim()));
        vars.put("squareFootage", new BigDecimal(app.getSquareFootage().trim()));
        // safe: CWE-94
        Object surcharge = MVEL.executeExpression(compiled, vars);
        return Map.of("category", category, "surcharge", surcharge);
    }

    @PostMapping("/quote/solar-credit")
    public Map<String, Object> solarCredit(@RequestBody PermitApplication app) {
        Binding binding = new Binding();
        binding.setVariable("valuation", new BigDecimal(app.getValuation().trim()));
        binding.setVariable("notes", app.getNotes());
        GroovyShell shell = new GroovyShell(binding);
        // safe: CWE-94
        Object credit = shell.evaluate(SOLAR_CREDIT_SCRIPT, "SolarCredit.groovy");
        return Map.of("credit", credit);
    }

    // ------------------------------------------------------------------ formula preview for finance staff

    @PostMapping("/preview/spel")
    @PreAuthorize("hasAnyRole('CLERK','FINANCE')")
    public Object previewSpel(@RequestBody FormulaPreview preview) {
        FeeInputs inputs = new FeeInputs(preview.getValuation(), preview.getSquareFootage(), "R-3");
        StandardEvaluationContext ctx = new StandardEvaluationContext(inputs);
        // vuln: CWE-94
        return SPEL.parseExpression(preview.getFormula()).getValue(ctx, BigDecimal.class);
    }

    @PostMapping("/preview/spel/v2")
    @PreAuthorize("hasAnyRole('CLERK','FINANCE')")
    public Object previewSpelV2(@RequestBody FormulaPreview preview) {
        FeeInputs inputs = new FeeInputs(preview.getValuation(), preview.getSquareFootage(), "R-3");
        SimpleEvaluationContext ctx = SimpleEvaluationContext.forReadOnlyDataBinding().withRootObject(inputs).build();
        // safe: CWE-94
        return SPEL.parseExpression(preview.getFormula()).getValue(ctx, BigDecimal.class);
    }

    @PostMapping("/preview/groovy")
    @PreAuthorize("hasAnyRole('CLERK','FINANCE')")
    public Object previewGroovy(@RequestBody FormulaPreview preview) {
        Binding binding = new Binding();
        binding.setVariable("valuation", preview.getValuation());
        binding.setVariable("squareFootage", preview.getSquareFootage());
        // vuln: CWE-94
        return new GroovyShell(binding).evaluate(preview.getFormula());
    }

    @PostMapping("/preview/js")
    @PreAuthorize("hasAnyRole('CLERK','FINANCE')")
    public Object previewJs(@RequestBody FormulaPreview preview) throws ScriptException {
        String formula = preview.getFormula();
        String lowered = formula.toLowerCase(Locale.ROOT);
        if (lowered.contains("java.") || lowered.contains("runtime") || lowered.contains("exec") || lowered.contains("load(")) {
            throw new IllegalArgumentException("formula uses a forbidden construct");
        }
        Bindings bindings = engine.createBindings();
        bindings.put("valuation", preview.getValuation());
        bindings.put("squareFootage", preview.getSquareFootage());
        // vuln: CWE-94
        return engine.eval(formula, bindings);
    }

    @GetMapping("/preview/mvel")
    public Object previewMvel(@RequestParam("expr") String expr, @RequestParam("valuation") BigDecimal valuation,
                              @RequestParam("sqft") BigDecimal sqft) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("valuation", valuation);
        vars.put("squareFootage", sqft);
        // vuln: CWE-94
        return MVEL.eval(expr, vars);
    }

    // ------------------------------------------------------------------ line items (OGNL, shared with the old Struts screens)

    @GetMapping("/line-item")
    public Object lineItem(@RequestParam("field") String field, @RequestParam("valuation") BigDecimal valuation,
                           @RequestParam("sqft") BigDecimal sqft) throws OgnlException {
        FeeInputs inputs = new FeeInputs(valuation, sqft, "R-3");
        Map<String, Object> context = new OgnlContext();
        String expression = OGNL_FEE_FIELDS.get(field);
        if (expression == null) {
            throw new IllegalArgumentException("unknown line item");
        }
        // safe: CWE-94
        return Ognl.getValue(expression, context, inputs);
    }

    @GetMapping("/line-item/custom")
    @PreAuthorize("hasRole('FINANCE')")
    public Object customLineItem(@RequestParam("expression") String expression, @RequestParam("valuation") BigDecimal valuation,
                                 @RequestParam("sqft") BigDecimal sqft) throws OgnlException {
        FeeInputs inputs = new FeeInputs(valuation, sqft, "R-3");
        Map<String, Object> context = new OgnlContext();
        // vuln: CWE-94
        return Ognl.getValue(expression.trim(), context, inputs);
    }

    // ------------------------------------------------------------------ waivers

    @PostMapping("/waiver")
    @PreAuthorize("hasRole('CLERK')")
    public Map<String, Object> requestWaiver(HttpServletRequest request) {
        HttpSession session = request.getSession();
        String reason = request.getParameter("reason");
        // vuln: CWE-501
        session.setAttribute("fees.waiverApproved", Boolean.valueOf(request.getParameter("approved")));
        session.setAttribute("fees.waiverReasonLength", reason == null ? 0 : reason.length());
        BigDecimal pct = new BigDecimal(request.getParameter("percent")).setScale(2, RoundingMode.HALF_UP);
        return Map.of("requested", pct);
    }
}
