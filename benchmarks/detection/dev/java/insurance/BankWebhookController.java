package com.harbormutual.payments;

import java.beans.XMLDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.servlet.http.HttpServletRequest;
import javax.xml.bind.JAXBContext;
import javax.xml.bind.JAXBException;
import javax.xml.bind.Unmarshaller;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.apache.commons.codec.digest.DigestUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

import com.fasterxml.jackson.databind.ObjectMapper;

@RestController
@RequestMapping("/payments/webhooks")
public class BankWebhookController {

    private static final Logger log = LoggerFactory.getLogger(BankWebhookController.class);

    // vuln: CWE-798
    private static final String CARDPOINT_CALLBACK_SECRET = "hm_live_cb_7Qx2vR9kLm4TzP8aWn3eYd6u";

    // safe: CWE-798
    private static final String BANK_WEBHOOK_SECRET = System.getenv("HM_BANK_WEBHOOK_SECRET");

    private static final Set<String> ALLOWED_CONTEXT_CLASSES = Set.of(
            "com.harbormutual.payments.GatewayContext",
            "java.lang.String",
            "java.math.BigDecimal",
            "java.lang.Number",
            "java.lang.Long");

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper = new ObjectMapper();
    private final JAXBContext camtContext;

    public BankWebhookController(JdbcTemplate jdbc) throws JAXBException {
        this.jdbc = jdbc;
        this.camtContext = JAXBContext.newInstance(CamtNotification.class);
    }

    @PostMapping(value = "/bank/camt054", consumes = "application/xml")
    public ResponseEntity<String> camtNotification(@RequestHeader("X-Bank-Signature") String signature, @RequestBody byte[] body)
            throws NoSuchAlgorithmException, InvalidKeyException, ParserConfigurationException, SAXException, IOException {
        // safe: CWE-328
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(BANK_WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal(body);
        if (!MessageDigest.isEqual(expected, HexFormat.of().parseHex(signature))) {
            return ResponseEntity.status(401).body("bad signature");
        }
        // safe: CWE-328
        String dedupeKey = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body));
        Integer seen = jdbc.queryForObject("SELECT COUNT(*) FROM bank_webhook_log WHERE body_sha1 = ?", Integer.class, dedupeKey);
        if (seen != null && seen > 0) {
            return ResponseEntity.ok("duplicate");
        }
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setNamespaceAware(true);
        spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        SAXParser parser = spf.newSAXParser();
        CamtHandler handler = new CamtHandler();
        // safe: CWE-611
        parser.parse(new ByteArrayInputStream(body), handler);
        jdbc.update("INSERT INTO bank_webhook_log (body_sha1, entries) VALUES (?, ?)", dedupeKey, handler.entries);
        return ResponseEntity.ok("accepted");
    }

    @PostMapping(value = "/bank/camt054/sandbox", consumes = "application/xml")
    public ResponseEntity<String> camtSandbox(HttpServletRequest request) throws ParserConfigurationException, SAXException, IOException {
        SAXParser parser = SAXParserFactory.newInstance().newSAXParser();
        CamtHandler handler = new CamtHandler();
        // vuln: CWE-611
        parser.parse(request.getInputStream(), handler);
        log.info("Sandbox camt.054 parsed with {} entries", handler.entries);
        return ResponseEntity.ok("parsed " + handler.entries);
    }

    @PostMapping(value = "/bank/returns", consumes = "application/xml")
    public ResponseEntity<String> paymentReturns(HttpServletRequest request) throws ParserConfigurationException, SAXException, IOException {
        XMLReader reader = SAXParserFactory.newInstance().newSAXParser().getXMLReader();
        reader.setFeature("http://xml.org/sax/features/external-general-entities", false);
        CamtHandler handler = new CamtHandler();
        reader.setContentHandler(handler);
        // vuln: CWE-611
        reader.parse(new InputSource(request.getInputStream()));
        return ResponseEntity.ok("returns " + handler.entries);
    }

    @PostMapping(value = "/bank/statement", consumes = "application/xml")
    public ResponseEntity<String> statement(HttpServletRequest request) throws JAXBException, XMLStreamException, IOException {
        XMLInputFactory xif = XMLInputFactory.newFactory();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        XMLStreamReader xsr = xif.createXMLStreamReader(request.getInputStream());
        Unmarshaller unmarshaller = camtContext.createUnmarshaller();
        // safe: CWE-611
        CamtNotification notification = (CamtNotification) unmarshaller.unmarshal(xsr);
        return ResponseEntity.ok("statement " + notification.statementId);
    }

    @PostMapping("/cardpoint")
    public ResponseEntity<String> cardpointCallback(@RequestBody Map<String, String> form) throws NoSuchAlgorithmException, IOException, ClassNotFoundException {
        String payload = form.getOrDefault("txnId", "") + form.getOrDefault("amount", "") + form.getOrDefault("status", "");
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        String computed = HexFormat.of().formatHex(md.digest((payload + CARDPOINT_CALLBACK_SECRET).getBytes(StandardCharsets.UTF_8)));
        if (!computed.equalsIgnoreCase(form.get("signature"))) {
            return ResponseEntity.status(401).body("bad signature");
        }
        String context = form.get("merchantContext");
        if (context != null) {
            try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(context)))) {
                // vuln: CWE-502
                Object gatewayContext = ois.readObject();
                log.debug("Gateway context type {}", gatewayContext.getClass().getName());
            }
        }
        jdbc.update("UPDATE payments SET status = ? WHERE gateway_txn_id = ?", form.get("status"), form.get("txnId"));
        return ResponseEntity.ok("ok");
    }

    @PostMapping("/cardpoint/v2")
    public ResponseEntity<String> cardpointCallbackV2(@RequestBody String json) throws IOException, ClassNotFoundException {
        // safe: CWE-502
        GatewayCallback callback = mapper.readValue(json, GatewayCallback.class);
        if (callback.merchantContext != null) {
            try (ObjectInputStream ois = new AllowListObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(callback.merchantContext)))) {
                // safe: CWE-502
                Object gatewayContext = ois.readObject();
                log.debug("Gateway context type {}", gatewayContext.getClass().getName());
            }
        }
        String cardFingerprint = callback.pan == null ? null : DigestUtils.sha256Hex(callback.pan + BANK_WEBHOOK_SECRET);
        jdbc.update("UPDATE payments SET status = ?, card_fingerprint = ? WHERE gateway_txn_id = ?", callback.status, cardFingerprint, callback.txnId);
        return ResponseEntity.ok("ok");
    }

    @PostMapping(value = "/legacy-lockbox", consumes = "application/xml")
    public ResponseEntity<String> legacyLockbox(HttpServletRequest request) throws IOException {
        try (InputStream in = request.getInputStream(); XMLDecoder decoder = new XMLDecoder(in)) {
            // vuln: CWE-502
            Object batch = decoder.readObject();
            log.info("Lockbox batch received: {}", batch);
        }
        return ResponseEntity.ok("queued");
    }

    @PostMapping("/card-on-file")
    public ResponseEntity<String> cardOnFile(@RequestBody GatewayCallback callback) {
        if (callback.pan == null || callback.pan.length() < 12) {
            return ResponseEntity.badRequest().body("invalid card");
        }
        // vuln: CWE-328
        String panHash = DigestUtils.md5Hex(callback.pan);
        String last4 = callback.pan.substring(callback.pan.length() - 4);
        jdbc.update("INSERT INTO cards_on_file (pan_hash, last4, holder_ref) VALUES (?, ?, ?)", panHash, last4, callback.holderRef);
        return ResponseEntity.ok(last4);
    }

    static final class AllowListObjectInputStream extends ObjectInputStream {
        AllowListObjectInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (!ALLOWED_CONTEXT_CLASSES.contains(desc.getName())) {
                throw new InvalidClassException(desc.getName(), "class not allowed in gateway context");
            }
            return super.resolveClass(desc);
        }
    }

    static final class CamtHandler extends DefaultHandler {
        int entries;

        @Override
        public void startElement(String uri, String localName, String qName, org.xml.sax.Attributes attributes) {
            if ("Ntry".equals(localName) || "Ntry".equals(qName)) {
                entries++;
            }
        }
    }

    public static class GatewayCallback {
        public String txnId;
        public String status;
        public BigDecimal amount;
        public String pan;
        public String holderRef;
        public String merchantContext;
    }

    @javax.xml.bind.annotation.XmlRootElement(name = "Document")
    public static class CamtNotification {
        public String statementId;
    }
}
