package com.tixhub.imports.web;

import java.beans.XMLDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.servlet.http.HttpServletRequest;
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
import javax.xml.transform.dom.DOMResult;
import javax.xml.transform.stream.StreamSource;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpression;
import javax.xml.xpath.XPathFactory;

import org.springframework.http.ResponseEntity;
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
import org.xml.sax.InputSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.tixhub.imports.ImportService;
import com.tixhub.imports.SeatRowHandler;
import com.tixhub.imports.VenueLayout;

/**
 * Venue and partner imports: seat maps (XML), venue manifests (YAML), legacy box-office exports.
 */
@RestController
@RequestMapping("/imports")
public class VenueImportController {

    private final ImportService imports;

    public VenueImportController(ImportService imports) {
        this.imports = imports;
    }

    private static DocumentBuilder hardenedBuilder() throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        dbf.setXIncludeAware(false);
        dbf.setExpandEntityReferences(false);
        dbf.setNamespaceAware(true);
        return dbf.newDocumentBuilder();
    }

    // ---- seat maps --------------------------------------------------------------------

    @PostMapping("/venues/{venueId}/seatmap")
    public ResponseEntity<Integer> importSeatMap(@PathVariable long venueId, @RequestParam("file") MultipartFile file) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // vuln: CWE-611
        Document doc = builder.parse(file.getInputStream());
        NodeList seats = doc.getElementsByTagName("seat");
        imports.replaceSeatMap(venueId, seats);
        return ResponseEntity.ok(seats.getLength());
    }

    @PostMapping("/venues/{venueId}/seatmap/v2")
    public ResponseEntity<Integer> importSeatMapV2(@PathVariable long venueId, @RequestParam("file") MultipartFile file) throws Exception {
        DocumentBuilder builder = hardenedBuilder();
        // safe: CWE-611
        Document doc = builder.parse(file.getInputStream());
        NodeList seats = doc.getElementsByTagName("seat");
        imports.replaceSeatMap(venueId, seats);
        return ResponseEntity.ok(seats.getLength());
    }

    @PostMapping(value = "/venues/{venueId}/rows", consumes = "application/xml")
    public ResponseEntity<Integer> importRows(@PathVariable long venueId, HttpServletRequest request) throws Exception {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        SAXParser parser = spf.newSAXParser();
        SeatRowHandler handler = new SeatRowHandler(venueId);
        // vuln: CWE-611
        parser.parse(request.getInputStream(), handler);
        imports.saveRows(handler.rows());
        return ResponseEntity.ok(handler.rows().size());
    }

    @PostMapping(value = "/venues/{venueId}/rows/v2", consumes = "application/xml")
    public ResponseEntity<Integer> importRowsV2(@PathVariable long venueId, HttpServletRequest request) throws Exception {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        SAXParser parser = spf.newSAXParser();
        SeatRowHandler handler = new SeatRowHandler(venueId);
        // safe: CWE-611
        parser.parse(request.getInputStream(), handler);
        imports.saveRows(handler.rows());
        return ResponseEntity.ok(handler.rows().size());
    }

    @PostMapping(value = "/partners/{partner}/price-bands", consumes = "application/xml")
    public ResponseEntity<Integer> priceBands(@PathVariable String partner, @RequestBody String xml) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        // vuln: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(new StringReader(xml));
        int count = 0;
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamReader.START_ELEMENT && "band".equals(reader.getLocalName())) {
                imports.upsertPriceBand(partner, reader.getAttributeValue(null, "code"), reader.getAttributeValue(null, "cents"));
                count++;
            }
        }
        return ResponseEntity.ok(count);
    }

    @PostMapping(value = "/partners/{partner}/price-bands/v2", consumes = "application/xml")
    public ResponseEntity<Integer> priceBandsV2(@PathVariable String partner, @RequestBody String xml) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // safe: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(new StringReader(xml));
        int count = 0;
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamReader.START_ELEMENT && "band".equals(reader.getLocalName())) {
                imports.upsertPriceBand(partner, reader.getAttributeValue(null, "code"), reader.getAttributeValue(null, "cents"));
                count++;
            }
        }
        return ResponseEntity.ok(count);
    }

    @PostMapping("/venues/{venueId}/layout-transform")
    public ResponseEntity<String> layoutTransform(@PathVariable long venueId, @RequestParam("layout") MultipartFile layout) throws Exception {
        TransformerFactory tf = TransformerFactory.newInstance();
        Transformer identity = tf.newTransformer();
        DOMResult result = new DOMResult();
        // vuln: CWE-611
        identity.transform(new StreamSource(layout.getInputStream()), result);
        imports.storeLayout(venueId, (Document) result.getNode());
        return ResponseEntity.ok("stored");
    }

    @PostMapping("/venues/{venueId}/layout-transform/v2")
    public ResponseEntity<String> layoutTransformV2(@PathVariable long venueId, @RequestParam("layout") MultipartFile layout) throws Exception {
        TransformerFactory tf = TransformerFactory.newInstance();
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        Transformer identity = tf.newTransformer();
        DOMResult result = new DOMResult();
        // safe: CWE-611
        identity.transform(new StreamSource(layout.getInputStream()), result);
        imports.storeLayout(venueId, (Document) result.getNode());
        return ResponseEntity.ok("stored");
    }

    @PostMapping(value = "/boxoffice/legacy-export", consumes = "text/xml")
    public ResponseEntity<Integer> legacyExport(@RequestBody byte[] body) throws Exception {
        // vuln: CWE-611
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new ByteArrayInputStream(body)));
        NodeList orders = doc.getElementsByTagName("order");
        imports.importLegacyOrders(orders);
        return ResponseEntity.ok(orders.getLength());
    }

    @PostMapping(value = "/boxoffice/legacy-export/v2", consumes = "text/xml")
    public ResponseEntity<Integer> legacyExportV2(@RequestBody byte[] body) throws Exception {
        // safe: CWE-611
        Document doc = hardenedBuilder().parse(new InputSource(new ByteArrayInputStream(body)));
        NodeList orders = doc.getElementsByTagName("order");
        imports.importLegacyOrders(orders);
        return ResponseEntity.ok(orders.getLength());
    }

    // ---- queries into imported documents -------------------------------------------------

    @PostMapping("/venues/{venueId}/seatmap/query")
    public ResponseEntity<List<String>> seatsInSection(@PathVariable long venueId, @RequestParam("section") String section,
                                                       @RequestParam(value = "row", required = false) String row) throws Exception {
        Document doc = imports.loadSeatMap(venueId);
        XPath xpath = XPathFactory.newInstance().newXPath();
        String expr = "/venue/section[@code='" + section + "']/row";
        if (row != null) {
            expr += "[@label='" + row + "']";
        }
        expr += "/seat/@id";
        // vuln: CWE-643
        NodeList ids = (NodeList) xpath.evaluate(expr, doc, XPathConstants.NODESET);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ids.getLength(); i++) {
            out.add(ids.item(i).getNodeValue());
        }
        return ResponseEntity.ok(out);
    }

    @PostMapping("/venues/{venueId}/seatmap/query/v2")
    public ResponseEntity<List<String>> seatsInSectionV2(@PathVariable long venueId, @RequestParam("section") String section) throws Exception {
        Document doc = imports.loadSeatMap(venueId);
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setXPathVariableResolver((QName name) -> "section".equals(name.getLocalPart()) ? section : null);
        // safe: CWE-643
        NodeList ids = (NodeList) xpath.evaluate("/venue/section[@code=$section]/row/seat/@id", doc, XPathConstants.NODESET);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ids.getLength(); i++) {
            out.add(ids.item(i).getNodeValue());
        }
        return ResponseEntity.ok(out);
    }

    @PostMapping("/venues/{venueId}/accessibility")
    public ResponseEntity<String> accessibleSeat(@PathVariable long venueId, @RequestHeader("X-Seat-Ref") String seatRef) throws Exception {
        Document doc = imports.loadSeatMap(venueId);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        XPathExpression compiled = xpath.compile(String.format("//seat[@ref='%s']/@wheelchair", seatRef));
        return ResponseEntity.ok(compiled.evaluate(doc));
    }

    @PostMapping("/venues/{venueId}/accessibility/v2")
    public ResponseEntity<String> accessibleSeatV2(@PathVariable long venueId, @RequestHeader("X-Seat-Number") String seatNumber) throws Exception {
        Document doc = imports.loadSeatMap(venueId);
        int number = Integer.parseInt(seatNumber.trim());
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        XPathExpression compiled = xpath.compile("//seat[@number=" + number + "]/@wheelchair");
        return ResponseEntity.ok(compiled.evaluate(doc));
    }

    @PostMapping("/partners/{partner}/manifest/lookup")
    public ResponseEntity<String> manifestLookup(@PathVariable String partner, @RequestBody Map<String, String> query) throws Exception {
        Document manifest = imports.loadPartnerManifest(partner);
        XPath xpath = XPathFactory.newInstance().newXPath();
        String holder = query.get("holderName");
        String barcode = query.get("barcode");
        // vuln: CWE-643
        Node ticket = (Node) xpath.evaluate("//ticket[holder/text()='" + holder + "' and barcode='" + barcode + "']", manifest, XPathConstants.NODE);
        return ticket == null ? ResponseEntity.notFound().build() : ResponseEntity.ok(ticket.getTextContent());
    }

    @PostMapping("/partners/{partner}/manifest/by-tier")
    public ResponseEntity<Integer> manifestByTier(@PathVariable String partner, @RequestParam("tier") String tier) throws Exception {
        Document manifest = imports.loadPartnerManifest(partner);
        String tierCode = switch (tier.toLowerCase()) {
            case "vip" -> "VIP";
            case "premium" -> "PREM";
            case "balcony" -> "BALC";
            default -> "GA";
        };
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        Double n = (Double) xpath.evaluate("count(//ticket[@tier='" + tierCode + "'])", manifest, XPathConstants.NUMBER);
        return ResponseEntity.ok(n.intValue());
    }

    // ---- manifests and legacy exports (YAML / java.beans XML) -------------------------------

    @PostMapping(value = "/venues/manifest", consumes = "application/x-yaml")
    public ResponseEntity<String> venueManifest(@RequestBody String yamlText) {
        Yaml yaml = new Yaml();
        // vuln: CWE-502
        Object manifest = yaml.load(yamlText);
        imports.applyManifest(manifest);
        return ResponseEntity.ok("applied");
    }

    @PostMapping(value = "/venues/manifest/v2", consumes = "application/x-yaml")
    public ResponseEntity<String> venueManifestV2(@RequestBody String yamlText) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        // safe: CWE-502
        Map<String, Object> manifest = yaml.load(yamlText);
        imports.applyManifest(manifest);
        return ResponseEntity.ok("applied");
    }

    @PostMapping("/venues/layout/legacy")
    public ResponseEntity<String> venueLayoutLegacy(@RequestHeader("X-Legacy-Layout") String encodedLayout) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getDecoder().decode(encodedLayout);
        try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(raw))) {
            // vuln: CWE-502
            VenueLayout layout = (VenueLayout) ois.readObject();
            imports.storeLayout(layout);
            return ResponseEntity.ok(layout.getName());
        }
    }

    @PostMapping("/boxoffice/settings")
    public ResponseEntity<String> boxOfficeSettings(@RequestParam("file") MultipartFile file) throws IOException {
        try (InputStream in = file.getInputStream(); XMLDecoder decoder = new XMLDecoder(in)) {
            // vuln: CWE-502
            Object settings = decoder.readObject();
            imports.applyBoxOfficeSettings(settings);
        }
        return ResponseEntity.ok("applied");
    }
}
