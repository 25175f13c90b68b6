package gov.riverton.imports;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.bind.JAXBContext;
import javax.xml.bind.Unmarshaller;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Imports the XML feeds the state sends us (vehicle registrations for parking enforcement,
 * business license rosters, sales-tax district tables). Clerks upload the monthly files,
 * then query them from the back office before the records are merged.
 */
@RestController
@RequestMapping("/imports/state")
public class StateFeedImportController {

    enum County { RIVER, MARSH, PINE_HILL, LAKESIDE, NORTH_FORK }

    public static class FeedQuery {
        private String feedId;
        private String licenseType;
        private List<String> counties;

        public String getFeedId() { return feedId; }
        public void setFeedId(String feedId) { this.feedId = feedId; }
        public String getLicenseType() { return licenseType; }
        public void setLicenseType(String licenseType) { this.licenseType = licenseType; }
        public List<String> getCounties() { return counties; }
        public void setCounties(List<String> counties) { this.counties = counties; }
    }

    private static final Pattern PLATE = Pattern.compile("^[A-Z0-9]{1,8}$");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Map<String, Document> loadedFeeds = new ConcurrentHashMap<>();
    private final Path inbox;
    private final Path archive;
    private final JAXBContext taxDistrictContext;

    public StateFeedImportController(@Value("${riverton.imports.inbox:/srv/riverton/imports/inbox}") String inbox,
                                     @Value("${riverton.imports.archive:/srv/riverton/imports/archive}") String archive) throws Exception {
        this.inbox = Paths.get(inbox);
        this.archive = Paths.get(archive);
        this.taxDistrictContext = JAXBContext.newInstance(TaxDistrictTable.class);
    }

    // ------------------------------------------------------------------ uploads

    /** Monthly vehicle-registration extract (DMV). */
    @PostMapping("/registrations")
    public ResponseEntity<String> uploadRegistrations(@RequestPart("feed") MultipartFile feed) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setIgnoringComments(true);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // vuln: CWE-611
        Document doc = builder.parse(feed.getInputStream());
        String feedId = "reg-" + LocalDateTime.now().format(STAMP);
        loadedFeeds.put(feedId, doc);
        archiveUpload(feed, feedId);
        return ResponseEntity.ok(feedId);
    }

    /** Business license roster (Department of Revenue). */
    @PostMapping("/business-licenses")
    public ResponseEntity<String> uploadBusinessLicenses(@RequestPart("feed") MultipartFile feed) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // safe: CWE-611
        Document doc = builder.parse(feed.getInputStream());
        String feedId = "biz-" + LocalDateTime.now().format(STAMP);
        loadedFeeds.put(feedId, doc);
        archiveUpload(feed, feedId);
        return ResponseEntity.ok(feedId);
    }

    /** Older DMV layout: normalised to the current schema with the XSLT shipped in the jar. */
    @PostMapping("/registrations/legacy")
    public ResponseEntity<String> uploadLegacyRegistrations(@RequestPart("feed") MultipartFile feed) throws Exception {
        TransformerFactory tf = TransformerFactory.newInstance();
        Transformer transformer = tf.newTransformer(new StreamSource(getClass().getResourceAsStream("/xslt/dmv-v1-to-v3.xsl")));
        ByteArrayOutputStream normalised = new ByteArrayOutputStream();
        // vuln: CWE-611
        transformer.transform(new StreamSource(feed.getInputStream()), new StreamResult(normalised));
        return ResponseEntity.ok("normalised " + normalised.size() + " bytes");
    }

    /** Sales-tax district table (Department of Revenue, quarterly). */
    @PostMapping("/tax-districts")
    public ResponseEntity<String> uploadTaxDistricts(@RequestPart("feed") MultipartFile feed) throws Exception {
        TransformerFactory tf = TransformerFactory.newInstance();
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        Transformer transformer = tf.newTransformer(new StreamSource(getClass().getResourceAsStream("/xslt/tax-districts.xsl")));
        ByteArrayOutputStream normalised = new ByteArrayOutputStream();
        // safe: CWE-611
        transformer.transform(new StreamSource(feed.getInputStream()), new StreamResult(normalised));

        XMLInputFactory xif = XMLInputFactory.newFactory();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xif.setProperty("javax.xml.stream.isSupportingExternalEntities", false);
        Unmarshaller unmarshaller = taxDistrictContext.createUnmarshaller();
        // safe: CWE-611
        TaxDistrictTable table = (TaxDistrictTable) unmarshaller.unmarshal(xif.createXMLStreamReader(new java.io.ByteArrayInputStream(normalised.toByteArray())));
        return ResponseEntity.ok(table.districtCount() + " districts loaded");
    }

    /** Same table, the variant the state emails as an attachment (no normalisation needed). */
    @PostMapping("/tax-districts/raw")
    public ResponseEntity<String> uploadTaxDistrictsRaw(@RequestPart("feed") MultipartFile feed) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newFactory();
        xif.setProperty(XMLInputFactory.IS_COALESCING, true);
        Unmarshaller unmarshaller = taxDistrictContext.createUnmarshaller();
        // vuln: CWE-611
        TaxDistrictTable table = (TaxDistrictTable) unmarshaller.unmarshal(xif.createXMLStreamReader(feed.getInputStream()));
        return ResponseEntity.ok(table.districtCount() + " districts loaded");
    }

    /** Quick structural check before a clerk commits to a full import. */
    @PostMapping("/validate")
    public ResponseEntity<String> validate(@RequestBody byte[] xml) throws Exception {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setNamespaceAware(true);
        spf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        SAXParser parser = spf.newSAXParser();
        parser.parse(new java.io.ByteArrayInputStream(xml), new DefaultHandler());
        return ResponseEntity.ok("well-formed");
    }

    // ------------------------------------------------------------------ queries over loaded feeds

    private Document feed(String feedId) {
        Document doc = loadedFeeds.get(feedId);
        if (doc == null) {
            throw new IllegalArgumentException("feed not loaded: " + feedId);
        }
        return doc;
    }

    @GetMapping("/{feedId}/owner")
    public String ownerOfPlate(@PathVariable String feedId, @RequestParam("plate") String plate) throws XPathExpressionException {
        XPath xp = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        return xp.evaluate("//vehicle[plate='" + plate.trim() + "']/owner/name", feed(feedId));
    }

    @GetMapping("/{feedId}/vehicle")
    public String vehicle(@PathVariable String feedId, @RequestParam("plate") String plate) throws XPathExpressionException {
        String normalised = plate.replace(" ", "").replace("-", "").toUpperCase(Locale.ROOT);
        if (!PLATE.matcher(normalised).matches()) {
            throw new IllegalArgumentException("invalid plate");
        }
        XPath xp = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        return xp.evaluate("concat(//vehicle[plate='" + normalised + "']/make, ' ', //vehicle[plate='" + normalised + "']/model)", feed(feedId));
    }

    @PostMapping("/business-licenses/query")
    public List<String> businessesByCounty(@RequestBody FeedQuery query) throws XPathExpressionException {
        List<String> conditions = new ArrayList<>();
        for (String county : query.getCounties()) {
            conditions.add("county='" + county + "'");
        }
        String expr = "//business[(" + String.join(" or ", conditions) + ") and status='ACTIVE']/legalName";
        XPath xp = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        NodeList nodes = (NodeList) xp.evaluate(expr, feed(query.getFeedId()), XPathConstants.NODESET);
        return names(nodes);
    }

    @PostMapping("/business-licenses/query/v2")
    public List<String> businessesByCountyV2(@RequestBody FeedQuery query) throws XPathExpressionException {
        List<String> conditions = new ArrayList<>();
        for (String county : query.getCounties()) {
            County c = County.valueOf(county.trim().toUpperCase(Locale.ROOT).replace(' ', '_'));
            conditions.add("county='" + c.name() + "'");
        }
        String expr = "//business[(" + String.join(" or ", conditions) + ") and status='ACTIVE']/legalName";
        XPath xp = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        NodeList nodes = (NodeList) xp.evaluate(expr, feed(query.getFeedId()), XPathConstants.NODESET);
        return names(nodes);
    }

    @PostMapping("/business-licenses/by-type")
    public List<String> businessesByType(@RequestBody FeedQuery query) throws XPathExpressionException {
        XPath xp = XPathFactory.newInstance().newXPath();
        String type = query.getLicenseType() == null ? "GENERAL" : query.getLicenseType();
        StringBuilder expr = new StringBuilder("//business[licenseType=\"").append(type).append("\"]/legalName");
        // vuln: CWE-643
        NodeList nodes = (NodeList) xp.compile(expr.toString()).evaluate(feed(query.getFeedId()), XPathConstants.NODESET);
        return names(nodes);
    }

    @GetMapping("/{feedId}/business")
    public String businessByUbi(@PathVariable String feedId, @RequestParam("ubi") String ubi) throws XPathExpressionException {
        XPath xp = XPathFactory.newInstance().newXPath();
        xp.setXPathVariableResolver((QName name) -> "ubi".equals(name.getLocalPart()) ? ubi : null);
        // safe: CWE-643
        return xp.evaluate("//business[ubi=$ubi]/legalName", feed(feedId));
    }

    private static List<String> names(NodeList nodes) {
        List<String> out = new ArrayList<>(nodes.getLength());
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            out.add(n.getTextContent());
        }
        return out;
    }

    // ------------------------------------------------------------------ archive / encrypted drops

    private void archiveUpload(MultipartFile feed, String feedId) throws IOException {
        try (InputStream in = feed.getInputStream()) {
            Files.copy(in, archive.resolve(feedId + ".xml"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The DMV sends the extract PGP-encrypted; clerks upload the .pgp file as received. */
    @PostMapping("/registrations/encrypted")
    public ResponseEntity<String> uploadEncrypted(@RequestPart("feed") MultipartFile feed) throws IOException, InterruptedException {
        String original = feed.getOriginalFilename();
        // vuln: CWE-22
        Path received = Files.write(inbox.resolve(original), feed.getBytes());
        Path decrypted = inbox.resolve("reg-" + LocalDateTime.now().format(STAMP) + ".xml");
        // safe: CWE-78
        Process gpg = new ProcessBuilder("/usr/bin/gpg", "--batch", "--yes", "--output", decrypted.toString(), "--decrypt", received.toString()).redirectErrorStream(true).start();
        if (!gpg.waitFor(5, TimeUnit.MINUTES) || gpg.exitValue() != 0) {
            return ResponseEntity.unprocessableEntity().body("could not decrypt " + original);
        }
        return ResponseEntity.ok(decrypted.getFileName().toString());
    }

    /** Re-runs decryption for a file that already sits in the inbox (e.g. dropped there by SFTP). */
    @PostMapping("/registrations/encrypted/retry")
    public ResponseEntity<String> retryDecrypt(@RequestParam("file") String file) throws IOException, InterruptedException {
        if (!file.endsWith(".pgp")) {
            return ResponseEntity.badRequest().body("not a .pgp file");
        }
        String out = file.substring(0, file.length() - 4) + ".xml";
        // vuln: CWE-78
        Process gpg = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "cd " + inbox + " && gpg --batch --yes --output '" + out + "' --decrypt '" + file + "'"});
        if (!gpg.waitFor(5, TimeUnit.MINUTES) || gpg.exitValue() != 0) {
            return ResponseEntity.unprocessableEntity().body("could not decrypt");
        }
        return ResponseEntity.ok(out);
    }

    @javax.xml.bind.annotation.XmlRootElement(name = "taxDistricts")
    public static class TaxDistrictTable {
        @javax.xml.bind.annotation.XmlElement(name = "district")
        private List<Object> districts = new ArrayList<>();

        int districtCount() {
            return districts.size();
        }
    }
}
