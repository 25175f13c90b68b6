package com.harbormutual.backoffice;

import java.io.InputStream;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;

import groovy.lang.Binding;
import groovy.lang.GroovyShell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.w3c.dom.Document;
import org.w3c.dom.Node;

@RestController
@RequestMapping("/backoffice/fraud")
public class FraudRuleScriptService {

    private static final Logger log = LoggerFactory.getLogger(FraudRuleScriptService.class);
    private static final Pattern FORBIDDEN = Pattern.compile("(?i)(runtime|processbuilder|exec\\s*\\()");

    private static final Map<String, String> RULE_LIBRARY = Map.of(
            "high-reserve", "claim.reserve > 25000 && claim.daysSinceInception < 30",
            "repeat-claimant", "claim.priorClaims >= 3",
            "late-report", "claim.reportLagDays > 60");

    private static final Map<String, String> GROOVY_SCORERS = Map.of(
            "soft-tissue", "return claim.injuryCode.startsWith('S13') ? 40 : 0",
            "staged-collision", "return (claim.passengers > 3 && claim.speedMph < 10) ? 65 : 0");

    private static final Map<String, Class<? extends FraudCheck>> CHECKS = Map.of(
            "velocity", VelocityCheck.class,
            "provider-network", ProviderNetworkCheck.class);

    private final ScriptEngine engine = new ScriptEngineManager().getEngineByName("javascript");
    private final ExpressionParser spel = new SpelExpressionParser();
    private final SecureRandom secureRandom = new SecureRandom();
    private final Document rulePack;

    public FraudRuleScriptService() throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (InputStream in = getClass().getResourceAsStream("/fraud/rule-pack.xml")) {
            this.rulePack = dbf.newDocumentBuilder().parse(in);
        }
    }

    @PostMapping("/rules/dry-run")
    public Map<String, Object> dryRun(@RequestBody RuleTestRequest req) throws ScriptException {
        Bindings bindings = engine.createBindings();
        bindings.put("claim", req.getClaim());
        String expression = req.getExpression();
        if (expression == null || FORBIDDEN.matcher(expression).find()) {
            return Map.of("error", "expression rejected");
        }
        log.info("Dry-running ad hoc fraud rule for claim {}", req.getClaim().get("claimNo"));
        // vuln: CWE-94
        Object result = engine.eval(expression, bindings);
        return Map.of("matched", Boolean.TRUE.equals(result));
    }

    @PostMapping("/rules/{ruleId}/evaluate")
    public Map<String, Object> evaluateLibraryRule(@PathVariable String ruleId, @RequestBody Map<String, Object> claim) throws ScriptException {
        String script = RULE_LIBRARY.get(ruleId);
        if (script == null) {
            return Map.of("error", "unknown rule");
        }
        Bindings bindings = engine.createBindings();
        bindings.put("claim", claim);
        // safe: CWE-94
        Object result = engine.eval(script, bindings);
        return Map.of("rule", ruleId, "matched", Boolean.TRUE.equals(result));
    }

    @GetMapping("/threshold")
    public Map<String, Object> thresholdPreview(@RequestParam("expr") String expr, @RequestParam("amount") BigDecimal amount) {
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        ctx.setVariable("amount", amount);
        String normalized = expr.trim();
        // vuln: CWE-94
        Boolean hit = spel.parseExpression(normalized).getValue(ctx, Boolean.class);
        return Map.of("expr", normalized, "hit", hit);
    }

    @GetMapping("/threshold/fixed")
    public Map<String, Object> fixedThreshold(@RequestParam("amount") BigDecimal amount, @RequestParam(value = "limit", defaultValue = "10000") BigDecimal limit) {
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        ctx.setVariable("amount", amount);
        ctx.setVariable("limit", limit);
        // safe: CWE-94
        Boolean hit = spel.parseExpression("#amount > #limit").getValue(ctx, Boolean.class);
        return Map.of("hit", hit);
    }

    @PostMapping("/scorers/custom")
    public Map<String, Object> customScore(@RequestBody Map<String, Object> body) {
        Binding binding = new Binding();
        binding.setVariable("claim", body.get("claim"));
        String scorerSource = String.valueOf(body.get("script"));
        GroovyShell shell = new GroovyShell(binding);
        // vuln: CWE-94
        Object score = shell.evaluate(scorerSource);
        return Map.of("score", score);
    }

    @PostMapping("/scorers/{name}")
    public Map<String, Object> namedScore(@PathVariable String name, @RequestBody Map<String, Object> claim) {
        String source = GROOVY_SCORERS.get(name);
        if (source == null) {
            return Map.of("error", "unknown scorer");
        }
        Binding binding = new Binding();
        binding.setVariable("claim", claim);
        GroovyShell shell = new GroovyShell(binding);
        // safe: CWE-94
        Object score = shell.evaluate(source);
        return Map.of("scorer", name, "score", score);
    }

    @PostMapping("/checks/run")
    public Map<String, Object> runCheck(@RequestParam("check") String checkClass, @RequestBody Map<String, Object> claim) throws ReflectiveOperationException {
        String fqcn = checkClass.contains(".") ? checkClass : "com.harbormutual.backoffice." + checkClass;
        // vuln: CWE-94
        FraudCheck check = (FraudCheck) Class.forName(fqcn).getDeclaredConstructor().newInstance();
        return Map.of("check", fqcn, "flagged", check.evaluate(claim));
    }

    @PostMapping("/checks/{key}")
    public Map<String, Object> runRegisteredCheck(@PathVariable String key, @RequestBody Map<String, Object> claim) throws ReflectiveOperationException {
        Class<? extends FraudCheck> type = CHECKS.get(key);
        if (type == null) {
            return Map.of("error", "unknown check");
        }
        // safe: CWE-94
        FraudCheck check = type.getDeclaredConstructor().newInstance();
        return Map.of("check", key, "flagged", check.evaluate(claim));
    }

    @GetMapping("/rules/lookup")
    public Map<String, Object> lookupRule(@RequestParam("name") String name) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        Node node = (Node) xpath.evaluate("/rulePack/rule[@name='" + name + "']", rulePack, XPathConstants.NODE);
        return describe(node);
    }

    @GetMapping("/rules/lookup/v2")
    public Map<String, Object> lookupRuleV2(@RequestParam("name") String name) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setXPathVariableResolver((QName v) -> "ruleName".equals(v.getLocalPart()) ? name : null);
        // safe: CWE-643
        Node node = (Node) xpath.evaluate("/rulePack/rule[@name=$ruleName]", rulePack, XPathConstants.NODE);
        return describe(node);
    }

    @PostMapping("/holds/{claimNo}/override-code")
    public Map<String, String> issueOverrideCode(@PathVariable String claimNo) {
        // vuln: CWE-330
        String code = String.format("%06d", new Random().nextInt(1_000_000));
        log.info("Issued fraud-hold override code for claim {}", claimNo);
        return Map.of("claimNo", claimNo, "overrideCode", code);
    }

    @PostMapping("/holds/{claimNo}/override-code/v2")
    public Map<String, String> issueOverrideCodeV2(@PathVariable String claimNo) {
        // safe: CWE-330
        String code = String.format("%06d", secureRandom.nextInt(1_000_000));
        log.info("Issued fraud-hold override code for claim {}", claimNo);
        return Map.of("claimNo", claimNo, "overrideCode", code);
    }

    @PostMapping("/escalations/{claimNo}")
    public Map<String, String> escalate(@PathVariable String claimNo, @RequestParam("reason") String reason) {
        // vuln: CWE-330
        String ackToken = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(System.nanoTime());
        log.info("Escalating claim {} ({} chars of reason)", claimNo, reason.length());
        return Map.of("claimNo", claimNo, "siuAckToken", ackToken);
    }

    @PostMapping("/audit/sample")
    public List<String> sampleForAudit(@RequestBody List<String> claimNumbers, @RequestParam(value = "rate", defaultValue = "0.05") double rate) {
        List<String> picked = new ArrayList<>();
        double bounded = Math.min(Math.max(rate, 0.0), 1.0);
        for (String claimNo : claimNumbers) {
            // safe: CWE-330
            if (ThreadLocalRandom.current().nextDouble() < bounded) {
                picked.add(claimNo);
            }
        }
        log.debug("Sampled {} of {} claims for QA audit", picked.size(), claimNumbers.size());
        return picked;
    }

    private Map<String, Object> describe(Node node) {
        Map<String, Object> out = new HashMap<>();
        if (node == null) {
            out.put("found", false);
            return out;
        }
        out.put("found", true);
        out.put("name", node.getAttributes().getNamedItem("name").getNodeValue());
        out.put("body", node.getTextContent().trim());
        return out;
    }

    public interface FraudCheck {
        boolean evaluate(Map<String, Object> claim);
    }

    public static class VelocityCheck implements FraudCheck {
        public boolean evaluate(Map<String, Object> claim) {
            Object prior = claim.get("claimsLast90Days");
            return prior instanceof Number && ((Number) prior).intValue() > 2;
        }
    }

    public static class ProviderNetworkCheck implements FraudCheck {
        public boolean evaluate(Map<String, Object> claim) {
            return Boolean.FALSE.equals(claim.get("providerInNetwork"));
        }
    }

    public static class RuleTestRequest {
        private String expression;
        private Map<String, Object> claim = new HashMap<>();

        public String getExpression() { return expression; }
        public void setExpression(String expression) { this.expression = expression; }
        public Map<String, Object> getClaim() { return claim; }
        public void setClaim(Map<String, Object> claim) { this.claim = claim; }
    }
}
