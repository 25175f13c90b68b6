package com.rentwise.integrations;

import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
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
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Landlord-portal partner integrations: syndication feed previews, webhook
 * subscriptions, credit-check API, SSO hand-off and the legacy PMS sync endpoint.
 */
@RestController
@RequestMapping("/api/partners")
public class PartnerIntegrationController {

    private static final Set<String> FEED_HOSTS = Set.of("feeds.zoopla.co.uk", "syndication.rightmove.co.uk", "api.apartments.com");
    private static final Set<String> SSO_RETURN_HOSTS = Set.of("portal.rentwise.com", "owners.rentwise.com");
    private static final String CREDIT_API = "https://api.creditcheck-partner.com/v2";

    private final RestTemplate restTemplate;
    private final HttpClient httpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, String> partnerBaseUrls;
    private final WebhookStore webhooks;
    private final SyncService syncService;

    public PartnerIntegrationController(RestTemplate restTemplate,
                                        @Value("#{${rentwise.partners.base-urls}}") Map<String, String> partnerBaseUrls,
                                        WebhookStore webhooks,
                                        SyncService syncService) {
        this.restTemplate = restTemplate;
        this.partnerBaseUrls = partnerBaseUrls;
        this.webhooks = webhooks;
        this.syncService = syncService;
    }

    // ---- syndication feed preview ----------------------------------------------------

    @GetMapping("/feeds/preview")
    public ResponseEntity<byte[]> previewFeed(@RequestParam("feedUrl") String feedUrl) throws IOException {
        // vuln: CWE-918
        try (InputStream in = new URL(feedUrl).openStream()) {
            return ResponseEntity.ok(in.readNBytes(512 * 1024));
        }
    }

    @GetMapping("/feeds/preview/v2")
    public ResponseEntity<byte[]> previewFeedV2(@RequestParam("feedUrl") String feedUrl) throws IOException {
        URI uri = URI.create(feedUrl);
        if (!"https".equals(uri.getScheme()) || !FEED_HOSTS.contains(uri.getHost()) || uri.getPort() != -1) {
            return ResponseEntity.badRequest().build();
        }
        // safe: CWE-918
        try (InputStream in = uri.toURL().openStream()) {
            return ResponseEntity.ok(in.readNBytes(512 * 1024));
        }
    }

    // ---- webhooks ----------------------------------------------------------------------

    @PostMapping("/webhooks/test")
    public Map<String, Object> testWebhook(@RequestBody WebhookSubscription subscription) {
        // vuln: CWE-918
        String reply = restTemplate.postForObject(subscription.getCallbackUrl(), Map.of("event", "ping"), String.class);
        return Map.of("delivered", true, "reply", reply == null ? "" : reply);
    }

    @PostMapping("/webhooks/{id}/test")
    public Map<String, Object> testRegisteredWebhook(@PathVariable long id) {
        WebhookSubscription registered = webhooks.findVerified(id);
        // safe: CWE-918
        String reply = restTemplate.postForObject(partnerBaseUrls.get(registered.getPartnerKey()) + "/hooks/rentwise", Map.of("event", "ping"), String.class);
        return Map.of("delivered", true, "reply", reply == null ? "" : reply);
    }

    @PostMapping(value = "/webhooks/events", consumes = "application/json")
    public ResponseEntity<Void> receiveEvent(@RequestBody String payload) throws IOException {
        ObjectMapper typed = new ObjectMapper();
        typed.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
        // vuln: CWE-502
        Object event = typed.readValue(payload, Object.class);
        webhooks.dispatch(event);
        return ResponseEntity.accepted().build();
    }

    @PostMapping(value = "/webhooks/events/v2", consumes = "application/json")
    public ResponseEntity<Void> receiveEventV2(@RequestBody String payload) throws IOException {
        // safe: CWE-502
        PartnerEvent event = mapper.readValue(payload, PartnerEvent.class);
        webhooks.dispatch(event);
        return ResponseEntity.accepted().build();
    }

    // ---- listing photo import ------------------------------------------------------------

    @PostMapping("/photos/import")
    public Map<String, Object> importPhoto(@RequestBody Map<String, String> body) throws Exception {
        String imageUrl = body.get("imageUrl");
        HttpRequest request = HttpRequest.newBuilder(URI.create(imageUrl)).timeout(Duration.ofSeconds(10)).GET().build();
        // vuln: CWE-918
        HttpResponse<byte[]> resp = httpClient.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return Map.of("bytes", resp.body().length);
    }

    @PostMapping("/photos/import/v2")
    public Map<String, Object> importPhotoV2(@RequestBody Map<String, String> body) throws Exception {
        long assetId = Long.parseLong(body.get("assetId"));
        URI uri = UriComponentsBuilder.fromHttpUrl("https://media.rentwise-cdn.com/assets/{id}/original").buildAndExpand(assetId).toUri();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
        // safe: CWE-918
        HttpResponse<byte[]> resp = httpClient.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return Map.of("bytes", resp.body().length);
    }

    // ---- credit checks --------------------------------------------------------------------

    @GetMapping("/credit/{applicantId}")
    public ResponseEntity<String> creditReport(@PathVariable long applicantId,
                                               @RequestHeader("X-Bureau-Host") String bureauHost) {
        String url = "https://" + bureauHost + "/v2/reports/" + applicantId;
        HttpHeaders headers = new HttpHeaders();
        headers.setBearerAuth(syncService.bureauToken());
        // vuln: CWE-918
        return restTemplate.exchange(url, HttpMethod.GET, new HttpEntity<>(headers), String.class);
    }

    @GetMapping("/credit/{applicantId}/v2")
    public ResponseEntity<String> creditReportV2(@PathVariable long applicantId) {
        HttpHeaders headers = new HttpHeaders();
        headers.setBearerAuth(syncService.bureauToken());
        // safe: CWE-918
        return restTemplate.exchange(CREDIT_API + "/reports/{id}", HttpMethod.GET, new HttpEntity<>(headers), String.class, applicantId);
    }

    @GetMapping("/avatars/fetch")
    public Map<String, Object> fetchAvatar(HttpServletRequest request) throws IOException {
        String avatarUrl = request.getParameter("src");
        // vuln: CWE-918
        HttpURLConnection conn = (HttpURLConnection) new URL(avatarUrl).openConnection();
        conn.setConnectTimeout(3000);
        try (InputStream in = conn.getInputStream()) {
            return Map.of("status", conn.getResponseCode(), "size", in.readAllBytes().length);
        }
    }

    @GetMapping("/status/{partnerKey}")
    public Map<String, Object> partnerStatus(@PathVariable String partnerKey) throws IOException {
        String base = partnerBaseUrls.get(partnerKey);
        if (base == null) {
            return Map.of("status", "unknown partner");
        }
        // safe: CWE-918
        HttpURLConnection conn = (HttpURLConnection) new URL(base + "/health").openConnection();
        conn.setConnectTimeout(3000);
        return Map.of("status", conn.getResponseCode());
    }

    // ---- SSO hand-off -------------------------------------------------------------------

    @PostMapping("/sso/acs")
    public ResponseEntity<Void> assertionConsumer(@RequestParam("SAMLResponse") String samlResponse,
                                                  @RequestParam(value = "RelayState", required = false) String relayState) {
        syncService.consumeAssertion(samlResponse);
        String destination = relayState == null ? "/portal" : relayState;
        // vuln: CWE-601
        return ResponseEntity.status(HttpStatus.FOUND).header(HttpHeaders.LOCATION, destination).build();
    }

    @PostMapping("/sso/acs/v2")
    public ResponseEntity<Void> assertionConsumerV2(@RequestParam("SAMLResponse") String samlResponse,
                                                    @RequestParam(value = "RelayState", required = false) String relayState) {
        syncService.consumeAssertion(samlResponse);
        URI destination = URI.create("https://portal.rentwise.com/portal");
        if (relayState != null) {
            URI requested = URI.create(relayState);
            if ("https".equals(requested.getScheme()) && SSO_RETURN_HOSTS.contains(requested.getHost())) {
                destination = requested;
            }
        }
        // safe: CWE-601
        return ResponseEntity.status(HttpStatus.FOUND).location(destination).build();
    }

    @GetMapping("/oauth/callback")
    public void oauthCallback(@RequestParam String code,
                              @CookieValue(value = "rw_oauth_return", defaultValue = "/portal") String returnUrl,
                              HttpServletResponse response) {
        syncService.exchangeCode(code);
        response.setStatus(HttpServletResponse.SC_FOUND);
        // vuln: CWE-601
        response.setHeader("Location", returnUrl);
    }

    @GetMapping("/oauth/callback/v2")
    public void oauthCallbackV2(@RequestParam String code,
                                @RequestParam(value = "listing", required = false) String listingId,
                                HttpServletResponse response) {
        syncService.exchangeCode(code);
        String target = listingId == null ? "/portal" : "/portal/listings/" + Long.parseLong(listingId);
        response.setStatus(HttpServletResponse.SC_FOUND);
        // safe: CWE-601
        response.setHeader("Location", target);
    }

    // ---- legacy PMS sync (Java-serialized batches) -----------------------------------------

    @PostMapping(value = "/pms/sync", consumes = "application/x-java-serialized-object")
    public Map<String, Object> legacySync(HttpServletRequest request) throws IOException, ClassNotFoundException {
        try (ObjectInputStream ois = new ObjectInputStream(request.getInputStream())) {
            // vuln: CWE-502
            Object batch = ois.readObject();
            return Map.of("applied", syncService.apply(batch));
        }
    }

    @PostMapping(value = "/pms/sync/v2", consumes = "application/x-java-serialized-object")
    public Map<String, Object> legacySyncV2(HttpServletRequest request) throws IOException, ClassNotFoundException {
        try (ObjectInputStream ois = new ObjectInputStream(request.getInputStream())) {
            ois.setObjectInputFilter(ObjectInputFilter.Config.createFilter(
                    "com.rentwise.sync.SyncBatch;com.rentwise.sync.SyncItem;java.util.ArrayList;java.lang.String;java.lang.Long;maxdepth=5;maxrefs=10000;!*"));
            // safe: CWE-502
            Object batch = ois.readObject();
            return Map.of("applied", syncService.apply(batch));
        }
    }

    @GetMapping("/pms/preferences")
    public Map<String, Object> pmsPreferences(@CookieValue("pms_prefs") String prefsCookie) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getUrlDecoder().decode(prefsCookie);
        ObjectInputStream in = new ObjectInputStream(new java.io.ByteArrayInputStream(raw));
        // vuln: CWE-502
        PmsPreferences prefs = (PmsPreferences) in.readObject();
        return Map.of("layout", prefs.layout);
    }

    @GetMapping("/pms/preferences/v2")
    public Map<String, Object> pmsPreferencesV2(@CookieValue("pms_prefs") String prefsCookie) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getUrlDecoder().decode(prefsCookie);
        ObjectInputStream in = new AllowListObjectInputStream(new java.io.ByteArrayInputStream(raw), Set.of(PmsPreferences.class.getName()));
        // safe: CWE-502
        PmsPreferences prefs = (PmsPreferences) in.readObject();
        return Map.of("layout", prefs.layout);
    }

    @PostMapping("/pms/mapping")
    public Map<String, Object> pmsFieldMapping(@RequestBody byte[] body) throws IOException {
        // safe: CWE-502
        JsonNode mapping = mapper.readTree(new String(body, StandardCharsets.UTF_8));
        return Map.of("fields", mapping.size());
    }

    static final class AllowListObjectInputStream extends ObjectInputStream {
        private final Set<String> allowed;

        AllowListObjectInputStream(InputStream in, Set<String> allowed) throws IOException {
            super(in);
            this.allowed = allowed;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (!allowed.contains(desc.getName())) {
                throw new InvalidClassException("Unauthorized deserialization attempt", desc.getName());
            }
            return super.resolveClass(desc);
        }
    }

    public static class PmsPreferences implements java.io.Serializable {
        private static final long serialVersionUID = 3L;
        String layout;
    }

    public static class WebhookSubscription {
        private String callbackUrl;
        private String partnerKey;

        public String getCallbackUrl() { return callbackUrl; }
        public String getPartnerKey() { return partnerKey; }
    }

    public static class PartnerEvent {
        public String type;
        public String listingRef;
        public Map<String, String> attributes;
    }

    public interface WebhookStore {
        WebhookSubscription findVerified(long id);
        void dispatch(Object event);
    }

    public interface SyncService {
        int apply(Object batch);
        String bureauToken();
        void consumeAssertion(String samlResponse);
        void exchangeCode(String code);
    }
}
