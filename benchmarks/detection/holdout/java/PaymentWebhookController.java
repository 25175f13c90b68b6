package gov.riverton.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.w3c.dom.Document;

/**
 * Inbound webhooks from the city's bank (ISO 20022 statements and payment status
 * reports), the card processor, and the legacy water-billing lockbox vendor.
 */
@RestController
@RequestMapping("/billing/webhooks")
public class PaymentWebhookController {

    private static final Logger log = LoggerFactory.getLogger(PaymentWebhookController.class);

    private static final Set<String> REMITTANCE_HOSTS = Set.of("remit.firstriverbank.com", "sftp-gw.firstriverbank.com");
    // vuln: CWE-798
    private static final String LOCKBOX_SHARED_SECRET = "lbx_9f2c41d07a6e4b3f8d15c2e7a90b6f34";

    // safe: CWE-798
    @Value("${billing.webhooks.processor-signing-secret}") private String processorSigningSecret;

    @PersistenceContext
    private EntityManager em;

    private final RestTemplate restTemplate;
    private final ObjectMapper mapper;
    private final PaymentPostingService posting;

    public PaymentWebhookController(RestTemplate restTemplate, ObjectMapper mapper, PaymentPostingService posting) {
        this.restTemplate = restTemplate;
        this.mapper = mapper;
        this.posting = posting;
    }

    /** Daily camt.053 bank-to-customer statement pushed by the bank's file gateway. */
    @PostMapping(value = "/bank/camt053", consumes = {"application/xml", "text/xml"})
    public ResponseEntity<Void> bankStatement(InputStream body) throws Exception {
        Camt053Handler handler = new Camt053Handler();
        // vuln: CWE-611
        SAXParserFactory.newInstance().newSAXParser().parse(body, handler);
        for (Camt053Handler.Entry entry : handler.entries()) {
            posting.reconcileBankEntry(entry.endToEndId(), entry.amount(), entry.bookingDate());
        }
        return ResponseEntity.accepted().build();
    }

    /** pain.002 payment status report for autopay direct debits. */
    @PostMapping(value = "/bank/pain002", consumes = {"application/xml", "text/xml"})
    public ResponseEntity<Void> paymentStatusReport(InputStream body) throws XMLStreamException {
        XMLInputFactory factory = XMLInputFactory.newInstance();
        // vuln: CWE-611
        XMLStreamReader reader = factory.createXMLStreamReader(body);
        String currentId = null;
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamConstants.START_ELEMENT) {
                if ("OrgnlEndToEndId".equals(reader.getLocalName())) {
                    currentId = reader.getElementText();
                } else if ("TxSts".equals(reader.getLocalName()) && currentId != null) {
                    posting.updateDirectDebitStatus(currentId, reader.getElementText());
                }
            }
        }
        return ResponseEntity.accepted().build();
    }

    /** Lockbox acknowledgement file: confirms which batch numbers the vendor processed. */
    @PostMapping(value = "/lockbox/ack", consumes = {"application/xml", "text/xml"})
    public ResponseEntity<Void> lockboxAck(InputStream body) throws XMLStreamException {
        XMLInputFactory factory = XMLInputFactory.newInstance();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // safe: CWE-611
        XMLStreamReader reader = factory.createXMLStreamReader(body);
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamConstants.START_ELEMENT && "BatchNumber".equals(reader.getLocalName())) {
                posting.acknowledgeLockboxBatch(reader.getElementText());
            }
        }
        return ResponseEntity.ok().build();
    }

    /** The card processor's chargeback notifications are still XML. */
    @PostMapping(value = "/processor/chargeback", consumes = {"application/xml", "text/xml"})
    public ResponseEntity<Void> chargeback(@RequestBody byte[] body, @RequestHeader("X-Processor-Signature") String signature) throws Exception {
        if (!validProcessorSignature(body, signature)) {
            return ResponseEntity.status(401).build();
        }
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        dbf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        dbf.setXIncludeAware(false);
        dbf.setExpandEntityReferences(false);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // safe: CWE-611
        Document doc = builder.parse(new ByteArrayInputStream(body));
        String chargeId = doc.getElementsByTagName("ChargeId").item(0).getTextContent();
        posting.openChargeback(chargeId, new BigDecimal(doc.getElementsByTagName("Amount").item(0).getTextContent()));
        return ResponseEntity.ok().build();
    }

    /**
     * Legacy lockbox vendor posts each batch as a serialized LockboxBatch object
     * (their client library is Java).
     */
    @PostMapping(value = "/lockbox", consumes = "application/x-java-serialized-object")
    public ResponseEntity<Void> lockboxBatch(@RequestBody byte[] body, @RequestHeader("X-Lockbox-Digest") String digest) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(body))) {
            // vuln: CWE-502
            LockboxBatch batch = (LockboxBatch) in.readObject();
            if (!lockboxDigestMatches(batch, digest)) {
                log.warn("Rejected lockbox batch {} with bad digest", batch.getBatchNumber());
                return ResponseEntity.status(401).build();
            }
            postLockboxBatch(batch);
        }
        return ResponseEntity.accepted().build();
    }

    /** Vendor spec: hex(MD5(sharedSecret + batchNumber + itemCount + totalCents)). */
    private static boolean lockboxDigestMatches(LockboxBatch batch, String digest) throws GeneralSecurityException {
        String material = LOCKBOX_SHARED_SECRET + batch.getBatchNumber() + batch.getItems().size() + batch.getTotalCents();
        // vuln: CWE-328
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        String expected = HexFormat.of().formatHex(md5.digest(material.getBytes(StandardCharsets.US_ASCII)));
        return digest != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), digest.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /** Version 2 of the vendor client, same object format but filtered on our side. */
    @PostMapping(value = "/lockbox/v2", consumes = "application/x-java-serialized-object")
    public ResponseEntity<Void> lockboxBatchV2(InputStream body) throws IOException, ClassNotFoundException {
        ObjectInputFilter filter = ObjectInputFilter.Config.createFilter("maxdepth=6;maxrefs=20000;maxbytes=8388608;gov.riverton.billing.LockboxBatch;gov.riverton.billing.LockboxItem;java.util.ArrayList;java.math.BigDecimal;java.math.BigInteger;java.lang.Number;java.lang.String;java.time.Ser;!*");
        try (ObjectInputStream in = new ObjectInputStream(body)) {
            in.setObjectInputFilter(filter);
            // safe: CWE-502
            LockboxBatch batch = (LockboxBatch) in.readObject();
            postLockboxBatch(batch);
        }
        return ResponseEntity.accepted().build();
    }

    private void postLockboxBatch(LockboxBatch batch) {
        for (LockboxItem item : batch.getItems()) {
            // vuln: CWE-89
            List<UtilityAccount> accounts = em.createQuery("SELECT a FROM UtilityAccount a WHERE a.accountNumber = '" + item.getAccountNumber() + "' AND a.closed = false", UtilityAccount.class).getResultList();
            if (accounts.size() == 1) {
                posting.applyPayment(accounts.get(0), item.getAmount(), "LOCKBOX-" + batch.getBatchNumber());
            } else {
                posting.suspense(item, batch.getBatchNumber());
            }
        }
    }

    /** Card processor event feed (JSON). */
    @PostMapping(value = "/processor/events", consumes = "application/json")
    @Transactional
    public ResponseEntity<Void> processorEvent(@RequestBody byte[] body, @RequestHeader("X-Processor-Signature") String signature) throws IOException, GeneralSecurityException {
        if (!validProcessorSignature(body, signature)) {
            return ResponseEntity.status(401).build();
        }
        // safe: CWE-502
        ProcessorEvent event = mapper.readValue(body, ProcessorEvent.class);
        // safe: CWE-89
        List<UtilityAccount> accounts = em.createQuery("SELECT a FROM UtilityAccount a WHERE a.processorCustomerId = :cust", UtilityAccount.class).setParameter("cust", event.getCustomerId()).getResultList();
        for (UtilityAccount account : accounts) {
            posting.applyProcessorEvent(account, event);
        }
        return ResponseEntity.ok().build();
    }

    /**
     * Older integration path for the processor's "batch settlement" objects; they send
     * Jackson-typed JSON with @class hints.
     */
    @PostMapping(value = "/processor/settlement", consumes = "application/json")
    public ResponseEntity<Void> settlement(@RequestBody String body) throws IOException {
        ObjectMapper typedMapper = new ObjectMapper();
        typedMapper.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
        // vuln: CWE-502
        Object settlement = typedMapper.readValue(body, Object.class);
        if (settlement instanceof SettlementBatch batch) {
            posting.settle(batch);
        }
        return ResponseEntity.ok().build();
    }

    /**
     * The bank's notification service asks us to confirm a subscription by fetching
     * the URL it sends before it starts delivering events.
     */
    @PostMapping(value = "/bank/notifications", consumes = "application/json")
    public ResponseEntity<Void> bankNotification(@RequestBody BankNotification notification) {
        if ("SubscriptionConfirmation".equals(notification.getType())) {
            // vuln: CWE-918
            String confirmation = restTemplate.getForObject(notification.getSubscribeUrl(), String.class);
            log.info("Confirmed bank notification subscription: {}", confirmation);
            return ResponseEntity.ok().build();
        }
        if ("StatementAvailable".equals(notification.getType())) {
            String statementUrl = notification.getStatementUrl();
            if (statementUrl != null && statementUrl.startsWith("https://files.firstriverbank.com")) {
                // vuln: CWE-918
                byte[] statement = restTemplate.getForObject(statementUrl, byte[].class);
                posting.queueStatement(notification.getAccountRef(), statement);
            }
            return ResponseEntity.accepted().build();
        }
        if ("RemittanceAdvice".equals(notification.getType())) {
            URI remittance = URI.create(notification.getRemittanceUrl());
            if (!"https".equals(remittance.getScheme()) || remittance.getHost() == null || !REMITTANCE_HOSTS.contains(remittance.getHost().toLowerCase(Locale.ROOT)) || remittance.getRawUserInfo() != null) {
                return ResponseEntity.badRequest().build();
            }
            // safe: CWE-918
            byte[] advice = restTemplate.getForObject(remittance, byte[].class);
            posting.queueRemittance(notification.getAccountRef(), advice);
            return ResponseEntity.accepted().build();
        }
        return ResponseEntity.noContent().build();
    }

    private boolean validProcessorSignature(byte[] body, String signature) throws GeneralSecurityException {
        // safe: CWE-328
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(processorSigningSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal(body);
        byte[] provided;
        try {
            provided = HexFormat.of().parseHex(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(expected, provided);
    }

    Map<String, Object> describe() {
        return Map.of("remittanceHosts", REMITTANCE_HOSTS);
    }
}
