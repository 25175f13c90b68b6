package com.example.shop.pricing;

import groovy.lang.GroovyShell;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;
import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.util.UriComponentsBuilder;

/** Pricing rules and outbound partner calls. */
@RestController
public class PricingController {

    private static final String RATES_API = "https://rates.internal.example.com";
    private static final Set<String> IMAGE_HOSTS = Set.of("images.example-cdn.com", "static.example.com");
    private static final Map<String, DoubleBinaryOperator> OPERATIONS = Map.of("add", Double::sum, "mul", (a, b) -> a * b);

    private final ScriptEngine js = new ScriptEngineManager().getEngineByName("javascript");
    private final ExpressionParser spel = new SpelExpressionParser();
    private final RestTemplate rest = new RestTemplate();
    private final HttpClient http = HttpClient.newHttpClient();

    public record Rule(String name, String expression, double price) {}

    public record Webhook(String url, String event) {}

    @PostMapping("/pricing/preview")
    public Object preview(@RequestBody Rule rule) throws ScriptException {
        js.put("price", rule.price());
        // vuln: CWE-94
        return js.eval(rule.expression());
    }

    @GetMapping("/pricing/discount")
    public Object discount(@RequestParam String formula) {
        StandardEvaluationContext context = new StandardEvaluationContext();
        context.setVariable("price", 100.0);
        // vuln: CWE-94
        return spel.parseExpression(formula).getValue(context);
    }

    @PostMapping("/pricing/groovy")
    public Object groovyRule(@RequestBody Map<String, String> body) {
        GroovyShell shell = new GroovyShell();
        // vuln: CWE-94
        return shell.evaluate("def price = 10.0\n" + body.get("script"));
    }

    @GetMapping("/pricing/tier")
    public Object tier(@RequestHeader("X-Tier-Rule") String rule) throws ScriptException {
        String script = String.format("(function(){ return %s; })()", rule);
        // vuln: CWE-94
        return js.eval(script);
    }

    @PostMapping("/pricing/preview/safe")
    public Object previewSafe(@RequestBody Rule rule) throws ScriptException {
        Bindings bindings = js.createBindings();
        bindings.put("price", rule.price());
        bindings.put("label", rule.expression());
        // safe: CWE-94
        return js.eval("price * 1.2", bindings);
    }

    @GetMapping("/pricing/apply")
    public double apply(@RequestParam String op, @RequestParam double a, @RequestParam double b) {
        DoubleBinaryOperator operation = OPERATIONS.get(op);
        if (operation == null) {
            throw new IllegalArgumentException("unknown operation");
        }
        // safe: CWE-94
        return operation.applyAsDouble(a, b);
    }

    @GetMapping("/pricing/default")
    public Object defaultRule(@RequestParam double price) {
        StandardEvaluationContext context = new StandardEvaluationContext();
        context.setVariable("price", price);
        // safe: CWE-94
        return spel.parseExpression("#price * 1.2").getValue(context);
    }

    @PostMapping("/webhooks/test")
    public String testWebhook(@RequestBody Webhook hook) {
        // vuln: CWE-918
        return rest.postForObject(hook.url(), Map.of("event", hook.event()), String.class);
    }

    @GetMapping("/images/proxy")
    public byte[] proxyImage(@RequestParam String src) throws IOException {
        // vuln: CWE-918
        try (InputStream in = new URL(src).openStream()) {
            return in.readAllBytes();
        }
    }

    private int partnerStatus(String host) throws IOException {
        URL url = new URL("http://" + host + "/healthz");
        // vuln: CWE-918
        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        return conn.getResponseCode();
    }

    @GetMapping("/partners/status")
    public int status(@RequestHeader("X-Partner-Host") String host) throws IOException {
        return partnerStatus(host);
    }

    @GetMapping("/feeds/preview")
    public String feed(@RequestParam String url) throws IOException, InterruptedException {
        // vuln: CWE-918
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    @GetMapping("/rates/{currency}")
    public String rates(@PathVariable String currency) {
        String url = UriComponentsBuilder.fromHttpUrl(RATES_API).path("/v1/rates/{currency}").buildAndExpand(currency).encode().toUriString();
        // safe: CWE-918
        return rest.getForObject(url, String.class);
    }

    @GetMapping("/images/proxy/safe")
    public byte[] proxyImageSafe(@RequestParam String src) throws IOException {
        URI uri = URI.create(src);
        if (!"https".equals(uri.getScheme()) || !IMAGE_HOSTS.contains(uri.getHost())) {
            throw new IllegalArgumentException("image host not allowed");
        }
        // safe: CWE-918
        try (InputStream in = uri.toURL().openStream()) {
            return in.readAllBytes();
        }
    }

    @GetMapping("/status/upstream")
    public String upstream() {
        // safe: CWE-918
        return rest.getForObject("https://status.example.com/api/v2/status.json", String.class);
    }

    @GetMapping("/orders/{id}/shipment")
    public String shipment(@PathVariable long id) throws IOException, InterruptedException {
        // safe: CWE-918
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("https://shipping.internal.example.com/orders/" + id)).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
