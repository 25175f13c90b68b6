package com.example.logistics.routing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import javax.script.SimpleBindings;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.MapContext;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;
import org.mvel2.MVEL;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;

/** Routing rules for dispatchers and carrier integrations. */
@RestController
public class RoutingRulesController {

    private static final String CARRIER_API = "https://api.carrier.example.com";
    private static final Set<String> CALLBACK_HOSTS = Set.of("callbacks.partner-a.example.com", "hooks.partner-b.example.com");
    private static final Map<String, Integer> PRIORITY = Map.of("express", 1, "standard", 2, "economy", 3);

    private final JexlEngine jexl = new JexlBuilder().create();
    private final ScriptEngine js = new ScriptEngineManager().getEngineByName("graal.js");
    private final OkHttpClient okHttp = new OkHttpClient();
    private final CloseableHttpClient apache = HttpClients.createDefault();
    private final WebClient webClient = WebClient.create();

    public record Condition(String expression, Map<String, Object> parcel) {}

    public record Callback(String url) {}

    @PostMapping("/rules/evaluate")
    public Object evaluate(@RequestBody Condition condition) {
        // vuln: CWE-94
        return MVEL.eval(condition.expression(), condition.parcel());
    }

    @GetMapping("/routes/score")
    public Object score(@RequestParam String weights) {
        MapContext context = new MapContext(Map.of("distance", 120, "stops", 4));
        // vuln: CWE-94
        return jexl.createExpression(weights).evaluate(context);
    }

    private Object runScript(String source) throws ScriptException {
        // vuln: CWE-94
        return js.eval(source, new SimpleBindings(Map.of("now", System.currentTimeMillis())));
    }

    @PostMapping("/rules/test")
    public Object test(@RequestBody Map<String, String> body) throws ScriptException {
        return runScript(body.get("source"));
    }

    @GetMapping("/reports/field")
    public Object reportField(@RequestHeader("X-Report-Field") String field, @RequestParam long shipmentId) {
        // vuln: CWE-94
        return MVEL.eval("shipments.find(" + shipmentId + ")." + field, Map.of());
    }

    @PostMapping("/rules/evaluate/safe")
    public Object evaluateSafe(@RequestBody Condition condition) {
        // safe: CWE-94
        return MVEL.eval("parcel.weight > 30", Map.of("parcel", condition.parcel()));
    }

    @GetMapping("/priority")
    public int priority(@RequestParam String service) {
        // safe: CWE-94
        return PRIORITY.getOrDefault(service, 2);
    }

    @GetMapping("/routes/score/safe")
    public Object scoreSafe(@RequestParam double distanceWeight, @RequestParam double stopWeight) {
        MapContext context = new MapContext(Map.of("distance", 120, "stops", 4, "dw", distanceWeight, "sw", stopWeight));
        // safe: CWE-94
        return jexl.createExpression("distance * dw + stops * sw").evaluate(context);
    }

    @PostMapping("/callbacks")
    public int registerCallback(@RequestBody Callback callback) throws IOException {
        // vuln: CWE-918
        Request request = new Request.Builder().url(callback.url()).build();
        try (Response response = okHttp.newCall(request).execute()) {
            return response.code();
        }
    }

    @GetMapping("/labels/fetch")
    public String fetchLabel(@RequestParam String labelUrl) throws IOException {
        // vuln: CWE-918
        return EntityUtils.toString(apache.execute(new HttpGet(labelUrl)).getEntity());
    }

    @GetMapping("/quotes/{carrier}")
    public String quote(@PathVariable String carrier, @RequestParam double weight) {
        // vuln: CWE-918
        return webClient.get().uri("https://" + carrier + "/v2/quote?weight=" + weight).retrieve().bodyToMono(String.class).block();
    }

    @GetMapping("/partners/probe")
    public boolean probe(@RequestHeader("X-Partner-Host") String host, @RequestParam int port) throws IOException {
        try (Socket socket = new Socket()) {
            // vuln: CWE-918
            socket.connect(new InetSocketAddress(host, port), 3000);
            return true;
        }
    }

    @PostMapping("/callbacks/safe")
    public int registerCallbackSafe(@RequestBody Callback callback) throws IOException {
        URI uri = URI.create(callback.url());
        if (!"https".equals(uri.getScheme()) || !CALLBACK_HOSTS.contains(uri.getHost())) {
            throw new IllegalArgumentException("callback host not allowed");
        }
        // safe: CWE-918
        Request request = new Request.Builder().url(uri.toString()).build();
        try (Response response = okHttp.newBuilder().followRedirects(false).build().newCall(request).execute()) {
            return response.code();
        }
    }

    @GetMapping("/quotes/safe")
    public String quoteSafe(@RequestParam double weight) {
        // safe: CWE-918
        return webClient.get().uri(CARRIER_API + "/v2/quote?weight={w}", weight).retrieve().bodyToMono(String.class).block();
    }

    @GetMapping("/carrier/status")
    public String carrierStatus() throws IOException {
        // safe: CWE-918
        return EntityUtils.toString(apache.execute(new HttpGet("https://status.carrier.example.com/api/status.json")).getEntity());
    }

    @GetMapping("/tracking/{tn}")
    public String tracking(@PathVariable String tn) {
        // safe: CWE-918
        return webClient.get().uri(CARRIER_API + "/v2/track/{tn}", tn).retrieve().bodyToMono(String.class).block();
    }
}
