package com.tixhub.partners.web;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import javax.servlet.http.HttpServletRequest;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.multipart.MultipartFile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;
import com.tixhub.partners.PartnerRegistry;
import com.tixhub.partners.ResaleListing;
import com.tixhub.partners.dto.PaymentEvent;
import com.tixhub.partners.dto.VenueWebhook;
import com.tixhub.partners.legacy.SeatHoldBatch;

/**
 * Partner integrations: payment provider callbacks, resale marketplace feeds, venue-system webhooks.
 */
@RestController
@RequestMapping("/partners")
public class PartnerIntegrationController {

    private static final Set<String> RESALE_FEED_HOSTS = Set.of("feeds.stubmarket.io", "api.resellr.com", "partner.seatswap.net");
    private static final String PAYMENT_API = "https://api.payprovider.com/v2/charges/";

    private final RestTemplate restTemplate;
    private final HttpClient httpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final PartnerRegistry registry;

    public PartnerIntegrationController(RestTemplate restTemplate, PartnerRegistry registry) {
        this.restTemplate = restTemplate;
        this.registry = registry;
    }

    // ---- payment provider ---------------------------------------------------------------

    @PostMapping("/payments/callback")
    public ResponseEntity<String> paymentCallback(@RequestBody String body) throws IOException {
        // safe: CWE-502
        PaymentEvent event = mapper.readValue(body, PaymentEvent.class);
        // safe: CWE-918
        Map<?, ?> charge = restTemplate.getForObject(PAYMENT_API + "{id}", Map.class, event.getChargeId());
        registry.recordPayment(event, charge);
        return ResponseEntity.ok("ok");
    }

    @PostMapping("/payments/callback/legacy")
    public ResponseEntity<String> legacyPaymentCallback(@RequestBody String body,
                                                        @RequestHeader("X-Receipt-Url") String receiptUrl) throws IOException {
        PaymentEvent event = mapper.readValue(body, PaymentEvent.class);
        // vuln: CWE-918
        String receipt = restTemplate.getForObject(receiptUrl, String.class);
        registry.attachReceipt(event.getOrderId(), receipt);
        return ResponseEntity.ok("ok");
    }

    // ---- resale marketplace -------------------------------------------------------------

    @PostMapping("/resale/{partnerId}/sync")
    public ResponseEntity<Integer> syncResaleFeed(@PathVariable String partnerId, @RequestParam("feedUrl") String feedUrl) throws IOException {
        URL url = new URL(feedUrl);
        // vuln: CWE-918
        try (InputStream in = url.openStream()) {
            List<ResaleListing> listings = registry.parseResaleFeed(partnerId, in);
            return ResponseEntity.ok(listings.size());
        }
    }

    @PostMapping("/resale/{partnerId}/sync-checked")
    public ResponseEntity<Integer> syncResaleFeedChecked(@PathVariable String partnerId, @RequestParam("feedUrl") String feedUrl) throws IOException, InterruptedException {
        URI uri = URI.create(feedUrl);
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null || !RESALE_FEED_HOSTS.contains(uri.getHost().toLowerCase())) {
            return ResponseEntity.badRequest().build();
        }
        // safe: CWE-918
        HttpResponse<InputStream> resp = httpClient.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        List<ResaleListing> listings = registry.parseResaleFeed(partnerId, resp.body());
        return ResponseEntity.ok(listings.size());
    }

    @PostMapping("/resale/listings/import")
    public ResponseEntity<Integer> importListings(@RequestParam("snapshot") MultipartFile snapshot) throws IOException, ClassNotFoundException {
        try (ObjectInputStream ois = new ObjectInputStream(new BufferedInputStream(snapshot.getInputStream()))) {
            // vuln: CWE-502
            Object payload = ois.readObject();
            @SuppressWarnings("unchecked")
            List<ResaleListing> listings = (List<ResaleListing>) payload;
            registry.upsertListings(listings);
            return ResponseEntity.ok(listings.size());
        }
    }

    @PostMapping("/resale/listings/import-v2")
    public ResponseEntity<Integer> importListingsJson(@RequestParam("snapshot") MultipartFile snapshot) throws IOException {
        // safe: CWE-502
        ResaleListing[] listings = mapper.readValue(snapshot.getInputStream(), ResaleListing[].class);
        registry.upsertListings(List.of(listings));
        return ResponseEntity.ok(listings.length);
    }

    // ---- venue-system webhooks ---------------------------------------------------------

    @PostMapping("/venues/{venueCode}/webhook")
    public ResponseEntity<Void> venueWebhook(@PathVariable String venueCode, @RequestBody VenueWebhook hook) throws IOException, InterruptedException {
        registry.applyVenueUpdate(venueCode, hook);
        if (hook.getAckUrl() != null) {
            HttpRequest ack = HttpRequest.newBuilder(URI.create(hook.getAckUrl()))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"received\"}"))
                    .header("Content-Type", "application/json")
                    .build();
            // vuln: CWE-918
            httpClient.send(ack, HttpResponse.BodyHandlers.discarding());
        }
        return ResponseEntity.accepted().build();
    }

    @PostMapping("/venues/{venueCode}/webhook/ack")
    public ResponseEntity<Void> venueWebhookRegisteredAck(@PathVariable String venueCode, @RequestBody VenueWebhook hook) throws IOException, InterruptedException {
        registry.applyVenueUpdate(venueCode, hook);
        String ackEndpoint = registry.registeredAckEndpoint(venueCode);
        HttpRequest ack = HttpRequest.newBuilder(URI.create(ackEndpoint))
                .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"received\",\"id\":\"" + hook.getId() + "\"}"))
                .build();
        // safe: CWE-918
        httpClient.send(ack, HttpResponse.BodyHandlers.discarding());
        return ResponseEntity.accepted().build();
    }

    @PostMapping("/venues/{venueCode}/seat-holds")
    public ResponseEntity<Integer> seatHolds(@PathVariable String venueCode, HttpServletRequest request) throws IOException, ClassNotFoundException {
        ObjectInputStream in = new ObjectInputStream(request.getInputStream());
        in.setObjectInputFilter(ObjectInputFilter.Config.createFilter("com.tixhub.partners.legacy.SeatHoldBatch;com.tixhub.partners.legacy.SeatHold;java.util.ArrayList;java.lang.String;java.lang.Long;maxdepth=4;!*"));
        // safe: CWE-502
        SeatHoldBatch batch = (SeatHoldBatch) in.readObject();
        registry.applySeatHolds(venueCode, batch);
        return ResponseEntity.ok(batch.size());
    }

    @PostMapping("/venues/{venueCode}/seat-holds/v1")
    public ResponseEntity<Integer> seatHoldsV1(@PathVariable String venueCode, HttpServletRequest request) throws IOException, ClassNotFoundException {
        // vuln: CWE-502
        SeatHoldBatch batch = (SeatHoldBatch) new ObjectInputStream(request.getInputStream()).readObject();
        registry.applySeatHolds(venueCode, batch);
        return ResponseEntity.ok(batch.size());
    }

    @PostMapping("/venues/{venueCode}/config-push")
    public ResponseEntity<Void> configPush(@PathVariable String venueCode, @RequestBody String json) throws IOException {
        ObjectMapper typed = new ObjectMapper();
        typed.enableDefaultTyping(ObjectMapper.DefaultTyping.NON_FINAL);
        // vuln: CWE-502
        Object config = typed.readValue(json, Object.class);
        registry.storeVenueConfig(venueCode, config);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/venues/{venueCode}/config-push/v2")
    public ResponseEntity<Void> configPushV2(@PathVariable String venueCode, @RequestBody String json) throws IOException {
        PolymorphicTypeValidator ptv = BasicPolymorphicTypeValidator.builder()
                .allowIfSubType("com.tixhub.partners.venueconfig.")
                .build();
        ObjectMapper typed = new ObjectMapper();
        typed.activateDefaultTyping(ptv, ObjectMapper.DefaultTyping.NON_FINAL);
        // safe: CWE-502
        Object config = typed.readValue(json, Object.class);
        registry.storeVenueConfig(venueCode, config);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/venues/{venueCode}/logo")
    public ResponseEntity<Void> fetchVenueLogo(@PathVariable String venueCode, @RequestParam("logoUrl") String logoUrl) throws IOException {
        // vuln: CWE-918
        HttpURLConnection conn = (HttpURLConnection) new URL(logoUrl).openConnection();
        conn.setConnectTimeout(5000);
        try (InputStream in = conn.getInputStream()) {
            registry.storeVenueLogo(venueCode, in.readAllBytes());
        }
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/venues/{venueCode}/resync")
    public ResponseEntity<String> resync(@PathVariable String venueCode) throws InterruptedException {
        String base = registry.venueSystemBaseUrl(venueCode);
        for (int attempt = 0; attempt < 4; attempt++) {
            try {
                // safe: CWE-918
                String status = restTemplate.postForObject(base + "/sync", Map.of("venue", venueCode), String.class);
                return ResponseEntity.ok(status);
            } catch (RuntimeException e) {
                // safe: CWE-330
                long jitter = ThreadLocalRandom.current().nextLong(250, 1000);
                Thread.sleep((1L << attempt) * 500 + jitter);
            }
        }
        return ResponseEntity.status(502).body(new String("venue system unavailable".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }
}
