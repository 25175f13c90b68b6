package com.rentwise.imports;

import java.beans.XMLDecoder;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.xml.XMLConstants;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpression;
import javax.xml.xpath.XPathFactory;

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
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Imports of partner listing-syndication feeds (XML), unit inventories from property
 * management systems (YAML) and legacy saved-search exports.
 */
@RestController
@RequestMapping("/api/imports")
public class PartnerFeedImportController {

    private static final Set<String> LISTING_FIELDS = Set.of("title", "price", "bedrooms", "bathrooms", "postcode");

    private final ListingImportService importService;
    private final Document partnerRegistry;

    public PartnerFeedImportController(ListingImportService importService, PartnerRegistryLoader loader) {
        this.importService = importService;
        this.partnerRegistry = loader.load();
    }

    @PostMapping("/feeds/xml")
    public Map<String, Object> importXmlFeed(@RequestParam("feed") MultipartFile feed) throws Exception {
        // vuln: CWE-611
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(feed.getInputStream());
        return Map.of("imported", importService.importListings(doc));
    }

    @PostMapping("/feeds/xml/v2")
    public Map<String, Object> importXmlFeedV2(@RequestParam("feed") MultipartFile feed) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setXIncludeAware(false);
        dbf.setExpandEntityReferences(false);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // safe: CWE-611
        Document doc = builder.parse(feed.getInputStream());
        return Map.of("imported", importService.importListings(doc));
    }

    @PostMapping(value = "/feeds/push", consumes = "application/xml")
    public Map<String, Object> pushFeed(@RequestBody String body) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setIgnoringComments(true);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // vuln: CWE-611
        Document doc = builder.parse(new InputSource(new StringReader(body)));
        return Map.of("imported", importService.importListings(doc));
    }

    @PostMapping(value = "/feeds/push/v2", consumes = "application/xml")
    public Map<String, Object> pushFeedV2(@RequestBody String body) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setIgnoringComments(true);
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        dbf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // safe: CWE-611
        Document doc = builder.parse(new InputSource(new StringReader(body)));
        return Map.of("imported", importService.importListings(doc));
    }

    @PostMapping("/inspections")
    public Map<String, Object> importInspectionReport(InputStream requestBody) throws Exception {
        InspectionHandler handler = new InspectionHandler();
        SAXParser parser = SAXParserFactory.newInstance().newSAXParser();
        // vuln: CWE-611
        parser.parse(requestBody, handler);
        return Map.of("items", handler.count);
    }

    @PostMapping("/inspections/v2")
    public Map<String, Object> importInspectionReportV2(InputStream requestBody) throws Exception {
        InspectionHandler handler = new InspectionHandler();
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        spf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        spf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        SAXParser parser = spf.newSAXParser();
        // safe: CWE-611
        parser.parse(requestBody, handler);
        return Map.of("items", handler.count);
    }

    @PostMapping("/meter-readings")
    public Map<String, Object> importMeterReadings(@RequestParam("file") MultipartFile file) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        // vuln: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(file.getInputStream());
        return Map.of("readings", importService.importMeterReadings(reader));
    }

    @PostMapping("/meter-readings/v2")
    public Map<String, Object> importMeterReadingsV2(@RequestParam("file") MultipartFile file) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // safe: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(file.getInputStream());
        return Map.of("readings", importService.importMeterReadings(reader));
    }

    @PostMapping("/feeds/normalise")
    public byte[] normaliseFeed(@RequestParam("feed") MultipartFile feed) throws Exception {
        TransformerFactory tf = TransformerFactory.newInstance();
        Transformer transformer = tf.newTransformer(new StreamSource(getClass().getResourceAsStream("/xslt/feed-normalise.xsl")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // vuln: CWE-611
        transformer.transform(new StreamSource(feed.getInputStream()), new StreamResult(out));
        return out.toByteArray();
    }

    @PostMapping("/feeds/normalise/v2")
    public byte[] normaliseFeedV2(@RequestParam("feed") MultipartFile feed) throws Exception {
        TransformerFactory tf = TransformerFactory.newInstance();
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        Transformer transformer = tf.newTransformer(new StreamSource(getClass().getResourceAsStream("/xslt/feed-normalise.xsl")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // safe: CWE-611
        transformer.transform(new StreamSource(feed.getInputStream()), new StreamResult(out));
        return out.toByteArray();
    }

    @PostMapping("/amenities")
    public Map<String, Object> importAmenities(@RequestParam("file") MultipartFile file) throws Exception {
        XMLReader xmlReader = SAXParserFactory.newInstance().newSAXParser().getXMLReader();
        InspectionHandler handler = new InspectionHandler();
        xmlReader.setContentHandler(handler);
        // vuln: CWE-611
        xmlReader.parse(new InputSource(file.getInputStream()));
        return Map.of("items", handler.count);
    }

    @PostMapping("/amenities/v2")
    public Map<String, Object> importAmenitiesV2(@RequestParam("file") MultipartFile file) throws Exception {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        XMLReader xmlReader = spf.newSAXParser().getXMLReader();
        InspectionHandler handler = new InspectionHandler();
        xmlReader.setContentHandler(handler);
        // safe: CWE-611
        xmlReader.parse(new InputSource(file.getInputStream()));
        return Map.of("items", handler.count);
    }

    // ---- syndication feed queries -------------------------------------------------

    @GetMapping("/feeds/{feedId}/listing")
    public Map<String, Object> listingFromFeed(@PathVariable long feedId, @RequestParam("ref") String ref) throws Exception {
        Document feed = importService.storedFeed(feedId);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        String price = xpath.evaluate("/feed/listing[@ref='" + ref + "']/price", feed);
        return Map.of("ref", ref, "price", price);
    }

    @GetMapping("/feeds/{feedId}/listing/v2")
    public Map<String, Object> listingFromFeedV2(@PathVariable long feedId, @RequestParam("ref") String ref) throws Exception {
        Document feed = importService.storedFeed(feedId);
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setXPathVariableResolver((QName name) -> "ref".equals(name.getLocalPart()) ? ref : null);
        // safe: CWE-643
        String price = xpath.evaluate("/feed/listing[@ref=$ref]/price", feed);
        return Map.of("ref", ref, "price", price);
    }

    @GetMapping("/feeds/{feedId}/units")
    public List<String> unitsInBuilding(@PathVariable long feedId, @RequestParam String building) throws Exception {
        Document feed = importService.storedFeed(feedId);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        XPathExpression expr = xpath.compile(String.format("//unit[building/name='%s']/@number", building));
        NodeList nodes = (NodeList) expr.evaluate(feed, XPathConstants.NODESET);
        return nodeValues(nodes);
    }

    @GetMapping("/feeds/{feedId}/units/v2")
    public List<String> unitsOnFloor(@PathVariable long feedId, @RequestParam String floor) throws Exception {
        int floorNumber = Integer.parseInt(floor);
        Document feed = importService.storedFeed(feedId);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        XPathExpression expr = xpath.compile(String.format("//unit[floor=%d]/@number", floorNumber));
        NodeList nodes = (NodeList) expr.evaluate(feed, XPathConstants.NODESET);
        return nodeValues(nodes);
    }

    @GetMapping("/feeds/{feedId}/field")
    public List<String> fieldValues(@PathVariable long feedId,
                                    @RequestParam String field,
                                    @RequestParam(defaultValue = "ACTIVE") String state) throws Exception {
        Document feed = importService.storedFeed(feedId);
        StringBuilder query = new StringBuilder("/feed/listing");
        query.append("[status='").append(state).append("']");
        query.append("/").append(field);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        NodeList nodes = (NodeList) xpath.evaluate(query.toString(), feed, XPathConstants.NODESET);
        return nodeValues(nodes);
    }

    @GetMapping("/feeds/{feedId}/field/v2")
    public List<String> fieldValuesV2(@PathVariable long feedId,
                                      @RequestParam String field) throws Exception {
        if (!LISTING_FIELDS.contains(field)) {
            throw new IllegalArgumentException("unsupported field");
        }
        Document feed = importService.storedFeed(feedId);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        NodeList nodes = (NodeList) xpath.evaluate("/feed/listing[status='ACTIVE']/" + field, feed, XPathConstants.NODESET);
        return nodeValues(nodes);
    }

    @PostMapping("/partners/authenticate")
    public Map<String, Object> partnerAuth(@RequestHeader("X-Partner-Name") String partner,
                                           @RequestHeader("X-Partner-Key") String apiKey) throws Exception {
        XPath xpath = XPathFactory.newInstance().newXPath();
        String expression = partnerLookupExpression(partner, apiKey);
        // vuln: CWE-643
        Boolean known = (Boolean) xpath.evaluate(expression, partnerRegistry, XPathConstants.BOOLEAN);
        return Map.of("authenticated", known);
    }

    @PostMapping("/partners/authenticate/v2")
    public Map<String, Object> partnerAuthV2(@RequestHeader("X-Partner-Name") String partner,
                                             @RequestHeader("X-Partner-Key") String apiKey) throws Exception {
        XPath xpath = XPathFactory.newInstance().newXPath();
        Map<String, String> vars = Map.of("name", partner, "key", apiKey);
        xpath.setXPathVariableResolver(q -> vars.get(q.getLocalPart()));
        // safe: CWE-643
        Boolean known = (Boolean) xpath.evaluate("count(//partner[name=$name and apiKey=$key]) = 1", partnerRegistry, XPathConstants.BOOLEAN);
        return Map.of("authenticated", known);
    }

    @GetMapping("/partners/{name}/contact")
    public Map<String, Object> partnerContact(@PathVariable String name) throws Exception {
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        String email = xpath.evaluate("//partner[name=\"" + name + "\"]/contact/email", partnerRegistry);
        return Map.of("email", email);
    }

    @GetMapping("/partners/{name}/contact/v2")
    public Map<String, Object> partnerContactV2(@PathVariable String name) throws Exception {
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        NodeList partners = (NodeList) xpath.evaluate("//partner", partnerRegistry, XPathConstants.NODESET);
        for (int i = 0; i < partners.getLength(); i++) {
            Element p = (Element) partners.item(i);
            if (name.equals(p.getElementsByTagName("name").item(0).getTextContent())) {
                return Map.of("email", p.getElementsByTagName("email").item(0).getTextContent());
            }
        }
        return Map.of();
    }

    private static String partnerLookupExpression(String partner, String apiKey) {
        return "count(//partner[name='" + partner + "' and apiKey='" + apiKey + "']) = 1";
    }

    // ---- unit inventory (YAML) and legacy saved-search exports --------------------

    @PostMapping(value = "/inventory", consumes = {"application/x-yaml", "text/yaml"})
    public Map<String, Object> importInventory(@RequestBody String yamlBody) {
        Yaml yaml = new Yaml();
        // vuln: CWE-502
        Object inventory = yaml.load(yamlBody);
        return Map.of("units", importService.importInventory(inventory));
    }

    @PostMapping(value = "/inventory/v2", consumes = {"application/x-yaml", "text/yaml"})
    public Map<String, Object> importInventoryV2(@RequestBody String yamlBody) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        // safe: CWE-502
        Object inventory = yaml.load(yamlBody);
        return Map.of("units", importService.importInventory(inventory));
    }

    @PostMapping("/saved-searches/legacy")
    public Map<String, Object> importLegacySearches(@RequestParam("export") MultipartFile export) throws Exception {
        try (XMLDecoder decoder = new XMLDecoder(export.getInputStream())) {
            // vuln: CWE-502
            Object searches = decoder.readObject();
            return Map.of("imported", importService.importSavedSearches(searches));
        }
    }

    @PostMapping("/saved-searches/legacy/v2")
    public Map<String, Object> importLegacySearchesV2(@RequestParam("export") MultipartFile export) throws Exception {
        try (InputStream in = export.getInputStream()) {
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            // safe: CWE-502
            Iterable<Object> searches = yaml.loadAll(in);
            List<Object> all = new ArrayList<>();
            searches.forEach(all::add);
            return Map.of("imported", importService.importSavedSearches(all));
        }
    }

    private static List<String> nodeValues(NodeList nodes) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            values.add(nodes.item(i).getTextContent());
        }
        return values;
    }

    static class InspectionHandler extends DefaultHandler {
        int count;

        @Override
        public void startElement(String uri, String localName, String qName, org.xml.sax.Attributes attributes) {
            if ("item".equals(qName)) {
                count++;
            }
        }
    }

    public interface ListingImportService {
        int importListings(Document doc);
        int importMeterReadings(XMLStreamReader reader);
        int importInventory(Object inventory);
        int importSavedSearches(Object searches);
        Document storedFeed(long feedId);
    }

    public interface PartnerRegistryLoader {
        Document load();
    }
}
