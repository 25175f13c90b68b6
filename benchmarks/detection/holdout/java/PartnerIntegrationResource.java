package gov.riverton.partners;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamReader;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Partner integrations: contractor license look-ups against state licensing boards,
 * inbound webhooks from the state (license suspensions, vehicle-registration notices)
 * and the OAuth hand-off for the e-permitting partner.
 */
@Path("/partners")
public class PartnerIntegrationResource {

    enum BoardState { RV, NE, CO, WA, OR }

    enum Trade { GENERAL, ELECTRICAL, PLUMBING, MECHANICAL, ROOFING, DEMOLITION }

    private static final Map<BoardState, String> BOARDS = Map.of(
            BoardState.RV, "https://licensing.state.example.gov/api/v2",
            BoardState.NE, "https://cslb.ne.example.gov/lookup",
            BoardState.CO, "https://dora.co.example.gov/licensing",
            BoardState.WA, "https://lni.wa.example.gov/contractors",
            BoardState.OR, "https://ccb.or.example.gov/api");
    private static final Pattern LICENSE_NUMBER = Pattern.compile("^[A-Z]{0,3}\\d{4,10}$");
    private static final Map<String, String> POST_CONNECT_PAGES = Map.of(
            "permits", "https://staff.riverton.gov/permits/partners",
            "inspections", "https://staff.riverton.gov/inspections/schedule");

    // vuln: CWE-798
    private static final String STATE_WEBHOOK_SECRET = "whsec_3RZJzzzzgEOzdmenCkhvMdgaKjIg8xNb";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Client client;

    @Inject
    HttpClient httpClient;

    @PersistenceContext
    EntityManager em;

    // ------------------------------------------------------------------ license look-ups

    @GET
    @Path("/licenses/{licenseNo}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response lookup(@PathParam("licenseNo") String licenseNo, @QueryParam("state") String state) throws Exception {
        if (!LICENSE_NUMBER.matcher(licenseNo).matches()) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", "invalid license number")).build();
        }
        BoardState boardState = state == null ? BoardState.RV : BoardState.valueOf(state.toUpperCase());
        // safe: CWE-918
        String xml = client.target(BOARDS.get(boardState)).path("licenses").path(licenseNo).request(MediaType.APPLICATION_XML).get(String.class);

        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        dbf.setXIncludeAware(false);
        dbf.setExpandEntityReferences(false);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // safe: CWE-611
        Document doc = builder.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));

        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setXPathVariableResolver(name -> "num".equals(name.getLocalPart()) ? licenseNo : null);
        // safe: CWE-643
        String status = xpath.evaluate("/licenses/license[number=$num]/status", doc);
        return Response.ok(Map.of("licenseNo", licenseNo, "status", status)).build();
    }

    /** Look-up against a board the city has not onboarded yet; the UI lets clerks paste the board's endpoint. */
    @GET
    @Path("/licenses/adhoc")
    @Produces(MediaType.APPLICATION_JSON)
    public Response adhocLookup(@QueryParam("registry") String registry, @QueryParam("licenseNo") String licenseNo) throws Exception {
        // vuln: CWE-918
        String xml = client.target(registry).path("licenses").path(licenseNo).request(MediaType.APPLICATION_XML).get(String.class);

        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        // vuln: CWE-611
        Document doc = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));

        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        String status = xpath.evaluate("/licenses/license[number='" + licenseNo + "']/status", doc);
        String holder = xpath.evaluate("/licenses/license[1]/holder", doc);
        return Response.ok(Map.of("licenseNo", licenseNo, "status", status, "holder", holder)).build();
    }

    /** All contractors of a trade in the state roster feed cached nightly on disk. */
    @GET
    @Path("/contractors")
    @Produces(MediaType.APPLICATION_JSON)
    public Response contractorsByTrade(@QueryParam("trade") String trade, @QueryParam("city") String city) throws Exception {
        Document roster = RosterCache.current();
        XPath xpath = XPathFactory.newInstance().newXPath();
        String tradeName = Trade.valueOf(trade.trim().toUpperCase()).name();
        // safe: CWE-643
        NodeList byTrade = (NodeList) xpath.evaluate("//contractor[trade='" + tradeName + "']/name", roster, XPathConstants.NODESET);
        NodeList result = byTrade;
        if (city != null && !city.isBlank()) {
            String expr = String.format("//contractor[trade='%s' and address/city='%s']/name", tradeName, city);
            // vuln: CWE-643
            result = (NodeList) xpath.compile(expr).evaluate(roster, XPathConstants.NODESET);
        }
        return Response.ok(RosterCache.names(result)).build();
    }

    @GET
    @Path("/contractors/{licenseNo}/history")
    @Produces(MediaType.APPLICATION_JSON)
    public List<?> history(@PathParam("licenseNo") String licenseNo, @QueryParam("since") String since) {
        if (!LICENSE_NUMBER.matcher(licenseNo).matches()) {
            throw new jakarta.ws.rs.BadRequestException("invalid license number");
        }
        if (since == null) {
            // safe: CWE-89
            return em.createQuery("SELECT h FROM LicenseHistory h WHERE h.licenseNumber = :num ORDER BY h.changedAt DESC", LicenseHistory.class).setParameter("num", licenseNo).getResultList();
        }
        // vuln: CWE-89
        return em.createQuery("SELECT h FROM LicenseHistory h WHERE h.licenseNumber = '" + licenseNo + "' AND h.changedAt >= '" + since + "'").getResultList();
    }

    // ------------------------------------------------------------------ state webhooks

    /** License board pushes suspensions as signed XML. The signature covers the raw body. */
    @POST
    @Path("/state/license-events")
    @Consumes(MediaType.APPLICATION_XML)
    public Response licenseEvent(byte[] body, @HeaderParam("X-State-Signature") String signature) throws Exception {
        // safe: CWE-798
        String expected = System.getenv("STATE_LICENSE_WEBHOOK_KEY");
        // safe: CWE-328
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(expected.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] computed = mac.doFinal(body);
        if (signature == null || !MessageDigest.isEqual(computed, HexFormat.of().parseHex(signature))) {
            return Response.status(Response.Status.UNAUTHORIZED).build();
        }
        XMLInputFactory xif = XMLInputFactory.newFactory();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // safe: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(new ByteArrayInputStream(body));
        String licenseNo = null;
        String action = null;
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamConstants.START_ELEMENT) {
                if ("licenseNumber".equals(reader.getLocalName())) {
                    licenseNo = reader.getElementText();
                } else if ("action".equals(reader.getLocalName())) {
                    action = reader.getElementText();
                }
            }
        }
        LicenseEvents.record(licenseNo, action);
        return Response.accepted().build();
    }

    /** Vehicle-registration notices for parking enforcement; older state system, signature is inside the document. */
    @POST
    @Path("/state/registration-notices")
    @Consumes({MediaType.APPLICATION_XML, MediaType.TEXT_XML})
    public Response registrationNotice(InputStream body) throws Exception {
        NoticeHandler handler = new NoticeHandler();
        SAXParser parser = SAXParserFactory.newInstance().newSAXParser();
        // vuln: CWE-611
        parser.parse(body, handler);
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        md.update(STATE_WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8));
        byte[] expected = md.digest(handler.signedPortion().getBytes(StandardCharsets.UTF_8));
        if (!MessageDigest.isEqual(expected, HexFormat.of().parseHex(handler.signature()))) {
            return Response.status(Response.Status.UNAUTHORIZED).build();
        }
        return Response.accepted().build();
    }

    /** Notices carry the owner's driver-license number encrypted under the key the state issued. */
    static String decryptOwnerLicense(String base64Cipher, byte[] stateIssuedKey) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DESede/ECB/PKCS5Padding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(stateIssuedKey, "DESede"));
        return new String(cipher.doFinal(Base64.getDecoder().decode(base64Cipher)), StandardCharsets.UTF_8);
    }

    /** Bulk sync from the state's Java-based middleware. */
    @POST
    @Path("/state/bulk-sync")
    @Consumes("application/x-java-serialized-object")
    public Response bulkSync(InputStream body, @HeaderParam("X-State-Batch") String batchId) throws IOException, ClassNotFoundException {
        // vuln: CWE-502
        Object batch = new ObjectInputStream(body).readObject();
        if (!(batch instanceof List)) {
            return Response.status(Response.Status.BAD_REQUEST).build();
        }
        LicenseEvents.recordBatch(batchId, (List<?>) batch);
        return Response.accepted().build();
    }

    /** Newer JSON variant of the same sync. */
    @POST
    @Path("/state/bulk-sync")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response bulkSyncJson(InputStream body, @HeaderParam("X-State-Batch") String batchId) throws IOException {
        // safe: CWE-502
        LicenseEventBatch batch = JSON.readValue(body, LicenseEventBatch.class);
        LicenseEvents.recordBatch(batchId, batch.getEvents());
        return Response.accepted().build();
    }

    /** Webhook subscription handshake: the state posts a URL we must GET to confirm. */
    @POST
    @Path("/state/subscribe")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response confirmSubscription(@FormParam("confirmUrl") String confirmUrl, @FormParam("topic") String topic) throws Exception {
        // vuln: CWE-918
        HttpResponse<String> reply = httpClient.send(HttpRequest.newBuilder(URI.create(confirmUrl)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return Response.ok(Map.of("topic", topic, "status", reply.statusCode())).build();
    }

    @POST
    @Path("/state/subscribe/v2")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response confirmSubscriptionV2(@FormParam("subscriptionId") String subscriptionId, @FormParam("topic") String topic) throws Exception {
        long id = Long.parseLong(subscriptionId);
        URI confirm = URI.create("https://events.state.example.gov/subscriptions/" + id + "/confirm");
        // safe: CWE-918
        HttpResponse<String> reply = httpClient.send(HttpRequest.newBuilder(confirm).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return Response.ok(Map.of("topic", topic, "status", reply.statusCode())).build();
    }

    // ------------------------------------------------------------------ e-permitting OAuth hand-off

    @GET
    @Path("/epermit/connected")
    public Response connected(@QueryParam("code") String code, @QueryParam("return_to") String returnTo) {
        EPermitTokens.exchange(code);
        // vuln: CWE-601
        return Response.seeOther(URI.create(returnTo == null ? "/partners/epermit" : returnTo)).build();
    }

    @GET
    @Path("/epermit/done")
    public Response done(@QueryParam("code") String code, @QueryParam("section") String section) {
        EPermitTokens.exchange(code);
        String page = POST_CONNECT_PAGES.getOrDefault(section, "https://staff.riverton.gov/permits");
        // safe: CWE-601
        return Response.seeOther(URI.create(page)).build();
    }

    // ------------------------------------------------------------------ helpers

    static final class NoticeHandler extends DefaultHandler {
        private final StringBuilder signed = new StringBuilder();
        private final StringBuilder text = new StringBuilder();
        private String signature = "";

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes) {
            text.setLength(0);
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            text.append(ch, start, length);
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            if ("signature".equals(qName)) {
                signature = text.toString().trim();
            } else {
                signed.append(qName).append('=').append(text.toString().trim()).append(';');
            }
        }

        String signedPortion() {
            return signed.toString();
        }

        String signature() {
            return signature;
        }
    }

    public static class LicenseEventBatch {
        private List<Map<String, String>> events;

        public List<Map<String, String>> getEvents() { return events; }
        public void setEvents(List<Map<String, String>> events) { this.events = events; }
    }

    public static class LicenseHistory {
    }

    static final class RosterCache {
        static Document current() {
            throw new UnsupportedOperationException("wired by the roster loader");
        }

        static List<String> names(NodeList nodes) {
            java.util.List<String> out = new java.util.ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                out.add(nodes.item(i).getTextContent());
            }
            return out;
        }
    }

    static final class LicenseEvents {
        static void record(String licenseNo, String action) { }

        static void recordBatch(String batchId, List<?> events) { }
    }

    static final class EPermitTokens {
        static void exchange(String code) { }
    }
}
