package com.harbormutual.partners;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriComponentsBuilder;

@RestController
@RequestMapping("/partners/estimates")
public class RepairEstimateFetchController {

    private static final Logger log = LoggerFactory.getLogger(RepairEstimateFetchController.class);

    // vuln: CWE-798
    private static final String AUTOBODY_NET_API_KEY = "abn_live_7Qm2vX9kR4tL0pWc83sZ";

    private static final Set<String> ESTIMATE_HOSTS = Set.of("estimates.autobodynet.com", "api.collisionlink.io", "portal.glassworks-partners.com");

    private static final Map<String, String> PARTNER_BASE_URLS = Map.of(
            "autobodynet", "https://estimates.autobodynet.com/v3",
            "collisionlink", "https://api.collisionlink.io/v2",
            "glassworks", "https://portal.glassworks-partners.com/api");

    private final RestTemplate restTemplate;
    private final WebClient webClient;
    private final HttpClient httpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SecureRandom secureRandom = new SecureRandom();
    private final EstimateKeyProvider keys;

    // safe: CWE-798
    @Value("${partners.collisionlink.api-key}") private String collisionLinkKey;

    public RepairEstimateFetchController(RestTemplate restTemplate, WebClient.Builder builder, EstimateKeyProvider keys) {
        this.restTemplate = restTemplate;
        this.webClient = builder.build();
        this.keys = keys;
    }

    @GetMapping("/fetch")
    public ResponseEntity<String> fetchByUrl(@RequestParam("estimateUrl") String estimateUrl, @RequestParam("claimNo") String claimNo) {
        log.info("Fetching partner estimate for claim {}", claimNo);
        HttpHeaders headers = new HttpHeaders();
        headers.set("X-Api-Key", AUTOBODY_NET_API_KEY);
        // vuln: CWE-918
        ResponseEntity<String> resp = restTemplate.exchange(estimateUrl, HttpMethod.GET, new HttpEntity<>(headers), String.class);
        return ResponseEntity.ok(resp.getBody());
    }

    @GetMapping("/fetch/v2")
    public ResponseEntity<String> fetchByUrlV2(@RequestParam("estimateUrl") String estimateUrl, @RequestParam("claimNo") String claimNo) {
        URI uri = URI.create(estimateUrl);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!"https".equalsIgnoreCase(uri.getScheme()) || !ESTIMATE_HOSTS.contains(host) || uri.getUserInfo() != null) {
            log.warn("Rejected estimate URL for claim {}", claimNo);
            return ResponseEntity.badRequest().body("estimate host not permitted");
        }
        HttpHeaders headers = new HttpHeaders();
        headers.set("X-Api-Key", collisionLinkKey);
        // safe: CWE-918
        ResponseEntity<String> resp = restTemplate.exchange(uri, HttpMethod.GET, new HttpEntity<>(headers), String.class);
        return ResponseEntity.ok(resp.getBody());
    }

    @PostMapping("/shops/sync")
    public String syncShopEstimate(@RequestBody BodyShopRef shop) {
        String estimateId = shop.getEstimateId();
        // vuln: CWE-918
        return webClient.get().uri("https://" + shop.getShopHost() + "/api/estimates/" + estimateId).header("X-Api-Key", collisionLinkKey).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
    }

    @PostMapping("/shops/sync/v2")
    public String syncShopEstimateV2(@RequestBody BodyShopRef shop) {
        String base = PARTNER_BASE_URLS.get(shop.getNetwork());
        if (base == null) {
            throw new IllegalArgumentException("unknown repair network");
        }
        URI target = UriComponentsBuilder.fromHttpUrl(base).path("/estimates/{id}").queryParam("shop", shop.getShopHost()).buildAndExpand(shop.getEstimateId()).encode().toUri();
        // safe: CWE-918
        return webClient.get().uri(target).header("X-Api-Key", collisionLinkKey).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
    }

    @GetMapping("/photos")
    public byte[] fetchDamagePhoto(@RequestParam("src") String src) throws IOException {
        if (!src.contains("glassworks-partners.com") && !src.contains("autobodynet.com")) {
            throw new IllegalArgumentException("unsupported photo source");
        }
        // vuln: CWE-918
        HttpURLConnection conn = (HttpURLConnection) new URL(src).openConnection();
        conn.setConnectTimeout(5000);
        conn.setReadTimeout(10000);
        try (InputStream in = conn.getInputStream()) {
            return in.readNBytes(10_000_000);
        } finally {
            conn.disconnect();
        }
    }

    @GetMapping("/photos/{network}/{photoId}")
    public byte[] fetchDamagePhotoV2(@PathVariable String network, @PathVariable String photoId) throws IOException, InterruptedException {
        String base = PARTNER_BASE_URLS.get(network);
        if (base == null) {
            throw new IllegalArgumentException("unknown repair network");
        }
        URI uri = UriComponentsBuilder.fromHttpUrl(base).pathSegment("photos", photoId).build().encode().toUri();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("X-Api-Key", collisionLinkKey).GET().build();
        // safe: CWE-918
        HttpResponse<byte[]> response = httpClient.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return response.body();
    }

    @PostMapping("/glass/quote")
    public String glassQuote(@RequestParam("vin") String vin, @RequestParam("part") String part) {
        HttpHeaders headers = new HttpHeaders();
        // vuln: CWE-798
        headers.setBasicAuth("harbor-glass-svc", "Gl@ssW0rks!2022");
        String url = PARTNER_BASE_URLS.get("glassworks") + "/quotes?vin={vin}&part={part}";
        return restTemplate.exchange(url, HttpMethod.GET, new HttpEntity<>(headers), String.class, vin, part).getBody();
    }

    @PostMapping("/glass/quote/v2")
    public String glassQuoteV2(@RequestParam("vin") String vin, @RequestParam("part") String part) {
        HttpHeaders headers = new HttpHeaders();
        // safe: CWE-798
        headers.setBasicAuth("harbor-glass-svc", System.getenv("GLASSWORKS_SERVICE_PASSWORD"));
        String url = PARTNER_BASE_URLS.get("glassworks") + "/quotes?vin={vin}&part={part}";
        return restTemplate.exchange(url, HttpMethod.GET, new HttpEntity<>(headers), String.class, vin, part).getBody();
    }

    public String sealEstimateForCache(String estimateJson) throws GeneralSecurityException {
        SecretKeySpec key = new SecretKeySpec(keys.legacyCacheKey(), "DES");
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, key);
        return Base64.getEncoder().encodeToString(cipher.doFinal(estimateJson.getBytes(StandardCharsets.UTF_8)));
    }

    public String sealEstimateForCacheV2(String estimateJson) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        secureRandom.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, keys.cacheKey(), new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(estimateJson.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array());
    }

    public String openSupplementFromShop(String encoded) throws GeneralSecurityException {
        byte[] blob = Base64.getDecoder().decode(encoded);
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        cipher.init(Cipher.DECRYPT_MODE, keys.supplementKey());
        return new String(cipher.doFinal(blob), StandardCharsets.UTF_8);
    }

    public String openSupplementFromShopV2(String encoded) throws GeneralSecurityException {
        ByteBuffer blob = ByteBuffer.wrap(Base64.getDecoder().decode(encoded));
        byte[] iv = new byte[12];
        blob.get(iv);
        byte[] ct = new byte[blob.remaining()];
        blob.get(ct);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, keys.supplementKey(), new GCMParameterSpec(128, iv));
        return new String(cipher.doFinal(ct), StandardCharsets.UTF_8);
    }

    public static class BodyShopRef {
        private String network;
        private String shopHost;
        private String estimateId;

        public String getNetwork() { return network; }
        public void setNetwork(String network) { this.network = network; }
        public String getShopHost() { return shopHost; }
        public void setShopHost(String shopHost) { this.shopHost = shopHost; }
        public String getEstimateId() { return estimateId; }
        public void setEstimateId(String estimateId) { this.estimateId = estimateId; }
    }

    public interface EstimateKeyProvider {
        byte[] legacyCacheKey();
        SecretKey cacheKey();
        SecretKey supplementKey();
    }
}
