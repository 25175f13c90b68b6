package org.citylibrary.integrations.ebooks;

import java.io.IOException;
import javax.servlet.http.HttpServletRequest;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

/**
 * E-book vendor integration: the vendor pushes its title feed (ONIX-like XML) and licence
 * updates; patrons and staff look titles up in the cached feed document.
 */
@RestController
@RequestMapping("/api/ebooks")
public class EbookVendorFeedController {

    private static final Set<String> BRANCH_CODES = Set.of("CEN", "NTH", "STH", "EST", "WST", "MOB");

    private final EbookCatalogueRepository repository;
    private volatile Document currentFeed;
    private volatile Document kioskAccounts;

    public EbookVendorFeedController(EbookCatalogueRepository repository) {
        this.repository = repository;
    }

    // ---------------------------------------------------------------- feed ingestion

    @PostMapping("/feed")
    public ResponseEntity<String> receiveFeed(@RequestParam("file") MultipartFile file)
            throws IOException, ParserConfigurationException, SAXException {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // vuln: CWE-611
        Document doc = builder.parse(file.getInputStream());
        currentFeed = doc;
        return ResponseEntity.ok("entries=" + doc.getElementsByTagName("entry").getLength());
    }

    @PostMapping("/feed/v2")
    public ResponseEntity<String> receiveFeedV2(@RequestParam("file") MultipartFile file)
            throws IOException, ParserConfigurationException, SAXException {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setXIncludeAware(false);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // safe: CWE-611
        Document doc = builder.parse(file.getInputStream());
        currentFeed = doc;
        return ResponseEntity.ok("entries=" + doc.getElementsByTagName("entry").getLength());
    }

    @PostMapping(value = "/licences", consumes = "application/xml")
    public ResponseEntity<Integer> licenceUpdate(@RequestBody String body)
            throws ParserConfigurationException, SAXException, IOException {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        SAXParser parser = spf.newSAXParser();
        LicenceHandler handler = new LicenceHandler();
        // vuln: CWE-611
        parser.parse(new InputSource(new StringReader(body)), handler);
        repository.saveLicences(handler.licences);
        return ResponseEntity.ok(handler.licences.size());
    }

    @PostMapping(value = "/licences/batch", consumes = "application/xml")
    public ResponseEntity<Integer> licenceBatch(@RequestBody String body)
            throws ParserConfigurationException, SAXException, IOException {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        spf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        spf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        SAXParser parser = spf.newSAXParser();
        LicenceHandler handler = new LicenceHandler();
        // safe: CWE-611
        parser.parse(new InputSource(new StringReader(body)), handler);
        repository.saveLicences(handler.licences);
        return ResponseEntity.ok(handler.licences.size());
    }

    @PostMapping(value = "/holdings-delta", consumes = "application/xml")
    public ResponseEntity<Integer> holdingsDelta(HttpServletRequest request) throws XMLStreamException, IOException {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        // vuln: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(request.getInputStream());
        return ResponseEntity.ok(countElements(reader, "holding"));
    }

    @PostMapping(value = "/holdings-full", consumes = "application/xml")
    public ResponseEntity<Integer> holdingsFull(HttpServletRequest request) throws XMLStreamException, IOException {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // safe: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(request.getInputStream());
        return ResponseEntity.ok(countElements(reader, "holding"));
    }

    @PostMapping(value = "/feed/preview", consumes = "application/xml", produces = "text/html")
    public String previewFeed(@RequestBody String body) throws TransformerException {
        TransformerFactory tf = TransformerFactory.newInstance();
        Transformer t = tf.newTransformer(new StreamSource(getClass().getResourceAsStream("/xslt/feed-preview.xsl")));
        StringWriter out = new StringWriter();
        // vuln: CWE-611
        t.transform(new StreamSource(new StringReader(body)), new StreamResult(out));
        return out.toString();
    }

    @PostMapping(value = "/feed/preview-safe", consumes = "application/xml", produces = "text/html")
    public String previewFeedHardened(@RequestBody String body) throws TransformerException {
        TransformerFactory tf = TransformerFactory.newInstance();
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        Transformer t = tf.newTransformer(new StreamSource(getClass().getResourceAsStream("/xslt/feed-preview.xsl")));
        StringWriter out = new StringWriter();
        // safe: CWE-611
        t.transform(new StreamSource(new StringReader(body)), new StreamResult(out));
        return out.toString();
    }

    @PostMapping(value = "/kiosk-accounts", consumes = "application/xml")
    public ResponseEntity<Void> loadKioskAccounts(@RequestParam("file") MultipartFile file)
            throws ParserConfigurationException, SAXException, IOException {
        XMLReader xmlReader = SAXParserFactory.newInstance().newSAXParser().getXMLReader();
        KioskAccountHandler handler = new KioskAccountHandler();
        xmlReader.setContentHandler(handler);
        // vuln: CWE-611
        xmlReader.parse(new InputSource(file.getInputStream()));
        kioskAccounts = handler.toDocument();
        return ResponseEntity.noContent().build();
    }

    @PostMapping(value = "/kiosk-accounts/v2", consumes = "application/xml")
    public ResponseEntity<Void> loadKioskAccountsV2(@RequestParam("file") MultipartFile file)
            throws ParserConfigurationException, SAXException, IOException {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        dbf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        dbf.setXIncludeAware(false);
        dbf.setExpandEntityReferences(false);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // safe: CWE-611
        kioskAccounts = builder.parse(file.getInputStream());
        return ResponseEntity.noContent().build();
    }

    // ---------------------------------------------------------------- lookups in the feed

    @GetMapping("/titles/{isbn}")
    public ResponseEntity<String> titleByIsbn(@PathVariable String isbn) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        String title = xpath.evaluate("/feed/entry[isbn='" + isbn + "']/title", currentFeed);
        return title.isEmpty() ? ResponseEntity.notFound().build() : ResponseEntity.ok(title);
    }

    @GetMapping("/titles/{isbn}/summary")
    public ResponseEntity<String> summaryByIsbn(@PathVariable String isbn) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setXPathVariableResolver(name -> "isbn".equals(name.getLocalPart()) ? isbn : null);
        // safe: CWE-643
        String summary = xpath.evaluate("/feed/entry[isbn=$isbn]/summary", currentFeed);
        return summary.isEmpty() ? ResponseEntity.notFound().build() : ResponseEntity.ok(summary);
    }

    @GetMapping("/vendor-entries")
    public List<String> entriesForVendor(@RequestParam("vendorId") String vendorId) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        NodeList nodes = (NodeList) xpath.compile(String.format("/feed/entry[@vendorId='%s']/isbn", vendorId)).evaluate(currentFeed, XPathConstants.NODESET);
        return texts(nodes);
    }

    @GetMapping("/vendor-entries/by-number")
    public List<String> entriesForVendorNumber(@RequestParam("vendorId") String vendorId) throws XPathExpressionException {
        long id = Long.parseLong(vendorId);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        NodeList nodes = (NodeList) xpath.compile(String.format("/feed/entry[@vendorId='%d']/isbn", id)).evaluate(currentFeed, XPathConstants.NODESET);
        return texts(nodes);
    }

    @GetMapping("/formats")
    public List<String> titlesInFormat(@RequestParam("format") String format, @RequestParam(value = "lang", defaultValue = "en") String lang)
            throws XPathExpressionException {
        StringBuilder expr = new StringBuilder("/feed/entry[");
        expr.append("format='").append(format).append("'");
        expr.append(" and language='").append(lang).append("'");
        expr.append("]/title");
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        NodeList nodes = (NodeList) xpath.evaluate(expr.toString(), currentFeed, XPathConstants.NODESET);
        return texts(nodes);
    }

    @GetMapping("/formats/audiobooks")
    public List<String> audiobooks() throws XPathExpressionException {
        String expr = "/feed/entry[format='audiobook' and language='en']/title";
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        NodeList nodes = (NodeList) xpath.evaluate(expr, currentFeed, XPathConstants.NODESET);
        return texts(nodes);
    }

    @GetMapping("/branch-holdings")
    public List<String> branchHoldings(@RequestHeader("X-Branch") String branch) throws XPathExpressionException {
        String expr = holdingsPath(branch);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        NodeList nodes = (NodeList) xpath.evaluate(expr, currentFeed, XPathConstants.NODESET);
        return texts(nodes);
    }

    @GetMapping("/branch-holdings/checked")
    public List<String> branchHoldingsChecked(@RequestHeader("X-Branch") String branch) throws XPathExpressionException {
        if (!BRANCH_CODES.contains(branch)) {
            return List.of();
        }
        String expr = holdingsPath(branch);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        NodeList nodes = (NodeList) xpath.evaluate(expr, currentFeed, XPathConstants.NODESET);
        return texts(nodes);
    }

    @PostMapping("/kiosk-login")
    public ResponseEntity<String> kioskLogin(@RequestParam("user") String user, @RequestParam("pin") String pin)
            throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        String query = "/accounts/account[@name='" + user + "' and @pin='" + pin + "']/@role";
        // vuln: CWE-643
        Node role = (Node) xpath.evaluate(query, kioskAccounts, XPathConstants.NODE);
        return role == null ? ResponseEntity.status(401).build() : ResponseEntity.ok(role.getNodeValue());
    }

    @PostMapping("/kiosk-login/v2")
    public ResponseEntity<String> kioskLoginV2(@RequestParam("user") String user, @RequestParam("pin") String pin)
            throws XPathExpressionException {
        Map<QName, Object> vars = new HashMap<>();
        vars.put(new QName("user"), user);
        vars.put(new QName("pin"), pin);
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setXPathVariableResolver(vars::get);
        String query = "/accounts/account[@name=$user and @pin=$pin]/@role";
        // safe: CWE-643
        Node role = (Node) xpath.evaluate(query, kioskAccounts, XPathConstants.NODE);
        return role == null ? ResponseEntity.status(401).build() : ResponseEntity.ok(role.getNodeValue());
    }

    // ---------------------------------------------------------------- helpers

    private static String holdingsPath(String branch) {
        return "/feed/entry/holding[@branch='" + branch + "']/../title";
    }

    private static List<String> texts(NodeList nodes) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }

    private static int countElements(XMLStreamReader reader, String localName) throws XMLStreamException {
        int count = 0;
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamConstants.START_ELEMENT && localName.equals(reader.getLocalName())) {
                count++;
            }
        }
        reader.close();
        return count;
    }

    static final class LicenceHandler extends DefaultHandler {
        final List<Map<String, String>> licences = new ArrayList<>();

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes) {
            if ("licence".equals(qName)) {
                Map<String, String> row = new HashMap<>();
                row.put("isbn", attributes.getValue("isbn"));
                row.put("copies", attributes.getValue("copies"));
                row.put("expires", attributes.getValue("expires"));
                licences.add(row);
            }
        }
    }

    static final class KioskAccountHandler extends DefaultHandler {
        private final List<String[]> rows = new ArrayList<>();

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes) {
            if ("account".equals(qName)) {
                rows.add(new String[] {attributes.getValue("name"), attributes.getValue("pin"), attributes.getValue("role")});
            }
        }

        Document toDocument() throws ParserConfigurationException {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
            org.w3c.dom.Element root = doc.createElement("accounts");
            doc.appendChild(root);
            for (String[] r : rows) {
                org.w3c.dom.Element a = doc.createElement("account");
                a.setAttribute("name", r[0]);
                a.setAttribute("pin", r[1]);
                a.setAttribute("role", r[2]);
                root.appendChild(a);
            }
            return doc;
        }
    }
}
