package org.citylibrary.integrations.partners;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import java.beans.XMLDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import javax.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.multipart.MultipartFile;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Inter-library loan gateway and partner tooling: status look-ups at partner libraries,
 * cover images, vendor feeds, saved report definitions and the legacy kiosk hand-over.
 */
@RestController
@RequestMapping("/api/partners")
public class PartnerGatewayController {

    private static final Map<String, String> PARTNER_ENDPOINTS = Map.of(
            "county", "https://ill.countylibraries.example.org/api",
            "university", "https://library.stateuniversity.example.edu/ncip",
            "regional", "https://regional-consortium.example.net/ill");

    private static final Set<String> COVER_HOSTS = Set.of("covers.openlibrary.org", "images.ebookvendor.example.com");

    private static final String VENDOR_API = "https://api.ebookvendor.example.com/v3";

    private final RestTemplate restTemplate;
    private final HttpClient httpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper objectMapper = new ObjectMapper();
    private final IllRequestService illRequests;

    @Value("${library.ncip.host}")
    private String ncipHost;

    public PartnerGatewayController(RestTemplate restTemplate, IllRequestService illRequests) {
        this.restTemplate = restTemplate;
        this.illRequests = illRequests;
    }

    // ---------------------------------------------------------------- outbound calls

    @PostMapping("/ill/callback-check")
    public ResponseEntity<String> checkCallback(@RequestBody IllStatusRequest body) {
        // vuln: CWE-918
        String status = restTemplate.getForObject(body.getCallbackUrl(), String.class);
        return ResponseEntity.ok(status);
    }

    @GetMapping("/ill/{partner}/status/{requestId}")
    public ResponseEntity<String> partnerStatus(@PathVariable String partner, @PathVariable String requestId) {
        String base = PARTNER_ENDPOINTS.get(partner);
        if (base == null) {
            return ResponseEntity.notFound().build();
        }
        // safe: CWE-918
        String status = restTemplate.getForObject(base + "/requests/{id}/status", String.class, requestId);
        return ResponseEntity.ok(status);
    }

    @GetMapping(value = "/covers", produces = MediaType.IMAGE_JPEG_VALUE)
    public byte[] cover(@RequestParam("src") String coverUrl) throws IOException {
        // vuln: CWE-918
        try (InputStream in = new URL(coverUrl).openStream()) {
            return in.readAllBytes();
        }
    }

    @GetMapping(value = "/covers/cached", produces = MediaType.IMAGE_JPEG_VALUE)
    public ResponseEntity<byte[]> coverCached(@RequestParam("src") String coverUrl) throws IOException {
        URI uri = URI.create(coverUrl);
        if (!"https".equals(uri.getScheme()) || !COVER_HOSTS.contains(uri.getHost())) {
            return ResponseEntity.badRequest().build();
        }
        // safe: CWE-918
        try (InputStream in = uri.toURL().openStream()) {
            return ResponseEntity.ok(in.readAllBytes());
        }
    }

    @GetMapping("/vendor-feed")
    public ResponseEntity<String> vendorFeed(@RequestHeader("X-Feed-Location") String feedUrl)
            throws IOException, InterruptedException {
        // vuln: CWE-918
        HttpResponse<String> response = httpClient.send(HttpRequest.newBuilder(URI.create(feedUrl)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return ResponseEntity.status(response.statusCode()).body(response.body());
    }

    @GetMapping("/vendor-titles")
    public ResponseEntity<String> vendorTitles(@RequestParam("isbn") String isbn) throws IOException, InterruptedException {
        String query = URLEncoder.encode(isbn, StandardCharsets.UTF_8);
        // safe: CWE-918
        HttpResponse<String> response = httpClient.send(HttpRequest.newBuilder(URI.create(VENDOR_API + "/titles?isbn=" + query)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return ResponseEntity.status(response.statusCode()).body(response.body());
    }

    @PostMapping("/ncip/{host}/lookup-user")
    public ResponseEntity<Integer> ncipLookup(@PathVariable("host") String host, @RequestBody String ncipMessage) throws IOException {
        // vuln: CWE-918
        HttpURLConnection conn = (HttpURLConnection) new URL("http://" + host + ":8080/ncip/lookup").openConnection();
        return ResponseEntity.ok(postXml(conn, ncipMessage));
    }

    @PostMapping("/ncip/lookup-user")
    public ResponseEntity<Integer> ncipLookupConfigured(@RequestBody String ncipMessage) throws IOException {
        // safe: CWE-918
        HttpURLConnection conn = (HttpURLConnection) new URL("https://" + ncipHost + "/ncip/lookup").openConnection();
        return ResponseEntity.ok(postXml(conn, ncipMessage));
    }

    @PostMapping("/ill/images")
    public ResponseEntity<byte[]> illScan(@RequestBody IllStatusRequest body) {
        String target = scanUrl(body.getImageServer(), body.getRequestId());
        HttpHeaders headers = new HttpHeaders();
        headers.setAccept(java.util.List.of(MediaType.APPLICATION_PDF));
        // vuln: CWE-918
        ResponseEntity<byte[]> scan = restTemplate.exchange(target, HttpMethod.GET, new HttpEntity<>(headers), byte[].class);
        return ResponseEntity.ok(scan.getBody());
    }

    @GetMapping("/works/{isbn}")
    public ResponseEntity<String> openLibraryWork(@PathVariable String isbn) {
        long numeric = Long.parseLong(isbn.replace("-", ""));
        // safe: CWE-918
        String json = restTemplate.getForObject("https://openlibrary.org/isbn/" + numeric + ".json", String.class);
        return ResponseEntity.ok(json);
    }

    @PostMapping("/ill/webhook-test")
    public ResponseEntity<String> webhookTest(@RequestParam("partner") String partner) {
        String base = PARTNER_ENDPOINTS.getOrDefault(partner, PARTNER_ENDPOINTS.get("county"));
        // safe: CWE-918
        ResponseEntity<String> pong = restTemplate.postForEntity(base + "/ping", "{}", String.class);
        return ResponseEntity.ok(pong.getBody());
    }

    // ---------------------------------------------------------------- inbound objects

    @PostMapping(value = "/kiosk/handover", consumes = "application/x-java-serialized-object")
    public ResponseEntity<String> kioskHandover(HttpServletRequest request) throws IOException, ClassNotFoundException {
        ObjectInputStream in = new ObjectInputStream(request.getInputStream());
        // vuln: CWE-502
        Object state = in.readObject();
        return ResponseEntity.ok(state.getClass().getSimpleName());
    }

    @PostMapping(value = "/kiosk/handover/v2", consumes = "application/x-java-serialized-object")
    public ResponseEntity<String> kioskHandoverFiltered(HttpServletRequest request) throws IOException, ClassNotFoundException {
        ObjectInputStream in = new ObjectInputStream(request.getInputStream());
        in.setObjectInputFilter(ObjectInputFilter.Config.createFilter(
                "org.citylibrary.kiosk.KioskState;org.citylibrary.kiosk.PendingCheckout;java.lang.String;java.time.*;maxdepth=5;!*"));
        // safe: CWE-502
        Object state = in.readObject();
        return ResponseEntity.ok(state.getClass().getSimpleName());
    }

    @PostMapping("/reports/definitions")
    public ResponseEntity<String> importReportDefinition(@RequestParam("file") MultipartFile file) throws IOException {
        try (XMLDecoder decoder = new XMLDecoder(file.getInputStream())) {
            // vuln: CWE-502
            Object definition = decoder.readObject();
            return ResponseEntity.ok(String.valueOf(definition));
        }
    }

    @PostMapping("/reports/definitions/json")
    public ResponseEntity<String> importReportDefinitionJson(@RequestParam("file") MultipartFile file) throws IOException {
        // safe: CWE-502
        ReportDefinition definition = objectMapper.readValue(file.getInputStream(), ReportDefinition.class);
        return ResponseEntity.ok(definition.getName());
    }

    @PostMapping(value = "/vendor-config", consumes = "application/x-yaml")
    public ResponseEntity<String> vendorConfig(@RequestBody String yamlText) {
        Yaml yaml = new Yaml();
        // vuln: CWE-502
        Object config = yaml.load(yamlText);
        return ResponseEntity.ok(String.valueOf(config));
    }

    @PostMapping(value = "/vendor-config/validate", consumes = "application/x-yaml")
    public ResponseEntity<String> vendorConfigValidate(@RequestBody String yamlText) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        // safe: CWE-502
        Map<String, Object> config = yaml.load(yamlText);
        return ResponseEntity.ok(config.keySet().toString());
    }

    @PostMapping("/ill/requests")
    public ResponseEntity<String> submitIllRequest(@RequestBody String json) throws IOException {
        ObjectMapper polymorphic = new ObjectMapper();
        polymorphic.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
        // vuln: CWE-502
        Object request = polymorphic.readValue(json, Object.class);
        return ResponseEntity.ok(illRequests.enqueue(request));
    }

    @PostMapping("/ill/requests/v2")
    public ResponseEntity<String> submitIllRequestTyped(@RequestBody String json) throws IOException {
        // safe: CWE-502
        IllLoanRequest request = objectMapper.readValue(json, IllLoanRequest.class);
        return ResponseEntity.ok(illRequests.enqueue(request));
    }

    @GetMapping("/saved-search")
    public ResponseEntity<String> restoreSavedSearch(@CookieValue("savedSearch") String cookie) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getDecoder().decode(cookie);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(raw))) {
            // vuln: CWE-502
            SavedSearch search = (SavedSearch) in.readObject();
            return ResponseEntity.ok(search.getQuery());
        }
    }

    @GetMapping("/saved-search/v2")
    public ResponseEntity<String> restoreSavedSearchJson(@CookieValue("savedSearch") String cookie) throws IOException {
        byte[] raw = Base64.getUrlDecoder().decode(cookie);
        // safe: CWE-502
        SavedSearch search = objectMapper.readValue(raw, SavedSearch.class);
        return ResponseEntity.ok(search.getQuery());
    }

    // ---------------------------------------------------------------- helpers

    private static String scanUrl(String imageServer, String requestId) {
        return String.format("http://%s/scans/%s.pdf", imageServer, requestId);
    }

    private static int postXml(HttpURLConnection conn, String body) throws IOException {
        conn.setRequestMethod("POST");
        conn.setDoOutput(true);
        conn.setRequestProperty("Content-Type", "application/xml");
        conn.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        return conn.getResponseCode();
    }

    public static class IllStatusRequest {
        private String callbackUrl;
        private String imageServer;
        private String requestId;

        public String getCallbackUrl() { return callbackUrl; }
        public void setCallbackUrl(String callbackUrl) { this.callbackUrl = callbackUrl; }
        public String getImageServer() { return imageServer; }
        public void setImageServer(String imageServer) { this.imageServer = imageServer; }
        public String getRequestId() { return requestId; }
        public void setRequestId(String requestId) { this.requestId = requestId; }
    }
}
