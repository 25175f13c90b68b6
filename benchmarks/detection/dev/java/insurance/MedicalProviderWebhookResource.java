package com.harbormutual.partners;

import java.beans.XMLDecoder;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.inject.Inject;
import javax.ws.rs.Consumes;
import javax.ws.rs.HeaderParam;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.client.Client;
import javax.ws.rs.client.ClientBuilder;
import javax.ws.rs.client.Entity;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.SAXParserFactory;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

@Path("/partners/medical")
@Produces(MediaType.APPLICATION_JSON)
public class MedicalProviderWebhookResource {

    private static final Logger log = LoggerFactory.getLogger(MedicalProviderWebhookResource.class);

    private final ObjectMapper plainMapper = new ObjectMapper();
    private final ObjectMapper legacyBillMapper = new ObjectMapper();
    private final Client jaxrsClient = ClientBuilder.newClient();
    private final HttpClient httpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(4)).build();
    private final Map<String, String> pendingCallbacks = new ConcurrentHashMap<>();

    @Inject
    private ProviderRegistry registry;

    public MedicalProviderWebhookResource() {
        legacyBillMapper.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
    }

    @POST
    @Path("/{providerId}/subscriptions")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response subscribe(@PathParam("providerId") String providerId, SubscriptionRequest sub) {
        String challenge = UUID.randomUUID().toString();
        log.info("Provider {} requested webhook subscription", providerId);
        // vuln: CWE-918
        Response verify = jaxrsClient.target(sub.callbackUrl).request(MediaType.APPLICATION_JSON).post(Entity.json(Map.of("challenge", challenge)));
        if (verify.getStatus() != 200) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", "callback verification failed")).build();
        }
        pendingCallbacks.put(providerId, sub.callbackUrl);
        return Response.ok(Map.of("status", "subscribed")).build();
    }

    @POST
    @Path("/{providerId}/subscriptions/v2")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response subscribeV2(@PathParam("providerId") String providerId, SubscriptionRequest sub) {
        String allowedDomain = registry.registeredDomain(providerId);
        URI callback = URI.create(sub.callbackUrl);
        String host = callback.getHost();
        boolean hostOk = host != null && allowedDomain != null && (host.equalsIgnoreCase(allowedDomain) || host.toLowerCase().endsWith("." + allowedDomain));
        if (!"https".equals(callback.getScheme()) || !hostOk || callback.getPort() != -1) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", "callback must be on registered domain")).build();
        }
        String challenge = UUID.randomUUID().toString();
        // safe: CWE-918
        Response verify = jaxrsClient.target(callback).request(MediaType.APPLICATION_JSON).post(Entity.json(Map.of("challenge", challenge)));
        if (verify.getStatus() != 200) {
            return Response.status(Response.Status.BAD_REQUEST).build();
        }
        registry.saveCallback(providerId, callback.toString());
        return Response.ok(Map.of("status", "subscribed")).build();
    }

    @POST
    @Path("/{providerId}/subscriptions/ping")
    public Response pingPending(@PathParam("providerId") String providerId) throws Exception {
        String target = pendingCallbacks.get(providerId);
        if (target == null) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        HttpRequest ping = HttpRequest.newBuilder(URI.create(target)).POST(HttpRequest.BodyPublishers.ofString("{\"ping\":\"" + Instant.now() + "\"}")).header("Content-Type", "application/json").build();
        // vuln: CWE-918
        HttpResponse<String> resp = httpClient.send(ping, HttpResponse.BodyHandlers.ofString());
        return Response.ok(Map.of("status", resp.statusCode())).build();
    }

    @POST
    @Path("/{providerId}/subscriptions/ping/v2")
    public Response pingRegistered(@PathParam("providerId") String providerId) throws Exception {
        String target = registry.verifiedCallbackFor(providerId);
        if (target == null) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        HttpRequest ping = HttpRequest.newBuilder(URI.create(target)).POST(HttpRequest.BodyPublishers.ofString("{\"ping\":\"" + Instant.now() + "\"}")).header("Content-Type", "application/json").build();
        // safe: CWE-918
        HttpResponse<String> resp = httpClient.send(ping, HttpResponse.BodyHandlers.ofString());
        return Response.ok(Map.of("status", resp.statusCode())).build();
    }

    @POST
    @Path("/{providerId}/bills")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submitBill(@PathParam("providerId") String providerId, @HeaderParam("X-Signature") String signature, String body) throws Exception {
        String secret = registry.sharedSecret(providerId);
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        String expected = HexFormat.of().formatHex(md.digest((body + secret).getBytes(StandardCharsets.UTF_8)));
        if (!expected.equalsIgnoreCase(signature)) {
            return Response.status(Response.Status.UNAUTHORIZED).build();
        }
        // vuln: CWE-502
        MedicalBill bill = legacyBillMapper.readValue(body, MedicalBill.class);
        registry.queueBill(providerId, bill);
        return Response.accepted(Map.of("billId", bill.billId)).build();
    }

    @POST
    @Path("/{providerId}/bills/v2")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submitBillV2(@PathParam("providerId") String providerId, @HeaderParam("X-Signature") String signature, String body) throws Exception {
        byte[] secret = registry.sharedSecret(providerId).getBytes(StandardCharsets.UTF_8);
        // safe: CWE-328
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        byte[] expected = mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
        if (signature == null || !MessageDigest.isEqual(expected, HexFormat.of().parseHex(signature))) {
            return Response.status(Response.Status.UNAUTHORIZED).build();
        }
        // safe: CWE-502
        MedicalBill bill = plainMapper.readValue(body, MedicalBill.class);
        registry.queueBill(providerId, bill);
        return Response.accepted(Map.of("billId", bill.billId)).build();
    }

    @POST
    @Path("/{providerId}/events")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response providerEvent(@PathParam("providerId") String providerId, String body) throws Exception {
        // safe: CWE-328
        String dedupeKey = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
        if (!registry.markSeen(providerId, dedupeKey)) {
            return Response.ok(Map.of("status", "duplicate")).build();
        }
        // safe: CWE-502
        ProviderEvent event = plainMapper.readValue(body, ProviderEvent.class);
        log.debug("Provider {} event {}", providerId, event.getClass().getSimpleName());
        return Response.accepted().build();
    }

    @POST
    @Path("/{providerId}/portal-users")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response createPortalUser(@PathParam("providerId") String providerId, Map<String, String> form) throws Exception {
        String login = form.get("login");
        String password = form.get("password");
        if (login == null || password == null || password.length() < 12) {
            return Response.status(Response.Status.BAD_REQUEST).build();
        }
        // vuln: CWE-328
        byte[] hash = MessageDigest.getInstance("SHA-1").digest((login + ":" + password).getBytes(StandardCharsets.UTF_8));
        registry.savePortalUser(providerId, login, HexFormat.of().formatHex(hash));
        return Response.status(Response.Status.CREATED).build();
    }

    @POST
    @Path("/{providerId}/fee-schedule")
    @Consumes(MediaType.APPLICATION_XML)
    public Response feeScheduleXml(@PathParam("providerId") String providerId, InputStream body) throws Exception {
        XMLReader reader = SAXParserFactory.newInstance().newSAXParser().getXMLReader();
        reader.setContentHandler(new DefaultHandler());
        // vuln: CWE-611
        reader.parse(new InputSource(body));
        return Response.accepted().build();
    }

    @POST
    @Path("/{providerId}/fee-schedule/v2")
    @Consumes(MediaType.APPLICATION_XML)
    public Response feeScheduleXmlV2(@PathParam("providerId") String providerId, InputStream body) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        // safe: CWE-611
        Document doc = dbf.newDocumentBuilder().parse(body);
        registry.storeFeeSchedule(providerId, doc);
        return Response.accepted().build();
    }

    @POST
    @Path("/{providerId}/legacy-remit")
    @Consumes(MediaType.APPLICATION_XML)
    public Response legacyRemittance(@PathParam("providerId") String providerId, InputStream body) {
        try (XMLDecoder decoder = new XMLDecoder(body)) {
            // vuln: CWE-502
            Object remit = decoder.readObject();
            registry.recordRemittance(providerId, remit);
        }
        return Response.accepted().build();
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = BillAdjusted.class, name = "bill.adjusted"),
            @JsonSubTypes.Type(value = BillVoided.class, name = "bill.voided")
    })
    public abstract static class ProviderEvent {
        public String billId;
        public Instant occurredAt;
    }

    public static class BillAdjusted extends ProviderEvent {
        public String adjustmentCode;
        public Long amountCents;
    }

    public static class BillVoided extends ProviderEvent {
        public String reason;
    }

    public static class MedicalBill {
        public String billId;
        public String claimNo;
        public String npi;
        public List<Object> lineItems;
        public Object attachments;
    }

    public static class SubscriptionRequest {
        public String callbackUrl;
        public List<String> events;
    }

    public interface ProviderRegistry {
        String registeredDomain(String providerId);
        void saveCallback(String providerId, String url);
        String verifiedCallbackFor(String providerId);
        String sharedSecret(String providerId);
        void queueBill(String providerId, MedicalBill bill);
        boolean markSeen(String providerId, String dedupeKey);
        void savePortalUser(String providerId, String login, String hash);
        void storeFeeSchedule(String providerId, Document doc);
        void recordRemittance(String providerId, Object remit);
    }
}
