package org.citylibrary.imports;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import javax.xml.transform.dom.DOMResult;
import javax.xml.transform.stream.StreamSource;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.springframework.stereotype.Service;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

/**
 * MARC-XML record import (vendor batch loads and copy cataloguing), the e-book
 * vendor's ONIX feed, and lookups into the cached authority file.
 */
@Service
public class MarcXmlImportService {

    private static final String MARC_NS = "http://www.loc.gov/MARC21/slim";
    private static final Map<String, String> FIELD_TAGS = Map.of(
            "title", "245",
            "author", "100",
            "isbn", "020",
            "subject", "650",
            "publisher", "264");

    private final Document authorityFile;
    private final XPathFactory xpathFactory = XPathFactory.newInstance();

    public MarcXmlImportService(Document authorityFile) {
        this.authorityFile = authorityFile;
    }

    // --- parsing -----------------------------------------------------------------

    /** Vendor batch upload from the technical-services screen. */
    public Document parseVendorBatch(InputStream upload) throws ParserConfigurationException, SAXException, IOException {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // vuln: CWE-611
        return builder.parse(upload);
    }

    /** Copy cataloguing: a record pasted into the cataloguer's form. */
    public Document parsePastedRecord(String recordXml) throws ParserConfigurationException, SAXException, IOException {
        // vuln: CWE-611
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(recordXml)));
    }

    /** Records pulled from a partner library over SRU for inter-library loan matching. */
    public Document parsePartnerRecord(InputStream body) throws ParserConfigurationException, SAXException, IOException {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        dbf.setXIncludeAware(false);
        dbf.setExpandEntityReferences(false);
        dbf.setNamespaceAware(true);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // safe: CWE-611
        return builder.parse(body);
    }

    /** Large MARC-XML exports from the old ILS, streamed with SAX. */
    public List<String> streamControlNumbers(InputStream in) throws ParserConfigurationException, SAXException, IOException {
        List<String> ids = new ArrayList<>();
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setNamespaceAware(true);
        SAXParser parser = spf.newSAXParser();
        ControlFieldHandler handler = new ControlFieldHandler("001", ids);
        // vuln: CWE-611
        parser.parse(in, handler);
        return ids;
    }

    public List<String> streamIsbns(InputStream in) throws ParserConfigurationException, SAXException, IOException {
        List<String> isbns = new ArrayList<>();
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setNamespaceAware(true);
        spf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        XMLReader reader = spf.newSAXParser().getXMLReader();
        reader.setContentHandler(new ControlFieldHandler("020", isbns));
        // safe: CWE-611
        reader.parse(new InputSource(in));
        return isbns;
    }

    /** The e-book vendor's ONIX availability feed, read with StAX. */
    public List<String> readOnixFeed(InputStream feed) throws XMLStreamException {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        // vuln: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(feed);
        return collectText(reader, "RecordReference");
    }

    public List<String> readOnixDelta(InputStream feed) throws XMLStreamException {
        XMLInputFactory xif = XMLInputFactory.newFactory();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // safe: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(feed);
        return collectText(reader, "RecordReference");
    }

    /** Applies the MARC-to-Dublin-Core stylesheet to an uploaded record for the OAI endpoint. */
    public Document toDublinCore(InputStream marc, InputStream stylesheet) throws TransformerException {
        TransformerFactory tf = TransformerFactory.newInstance();
        Transformer t = tf.newTransformer(new StreamSource(stylesheet));
        DOMResult result = new DOMResult();
        // vuln: CWE-611
        t.transform(new StreamSource(marc), result);
        return (Document) result.getNode();
    }

    public Document toDublinCoreHardened(InputStream marc) throws TransformerException {
        TransformerFactory tf = TransformerFactory.newInstance();
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        Transformer t = tf.newTransformer(new StreamSource(getClass().getResourceAsStream("/xslt/MARC21slim2OAIDC.xsl")));
        DOMResult result = new DOMResult();
        // safe: CWE-611
        t.transform(new StreamSource(marc), result);
        return (Document) result.getNode();
    }

    public Document parseWithSecureDefaults(InputStream in) throws ParserConfigurationException, SAXException, IOException {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        // safe: CWE-611
        return dbf.newDocumentBuilder().parse(in);
    }

    // --- authority file / record lookups -------------------------------------------

    public NodeList authorityHeadings(String name) throws XPathExpressionException {
        XPath xpath = xpathFactory.newXPath();
        String expr = "//record[datafield[@tag='100']/subfield[@code='a'][contains(., '" + name + "')]]";
        // vuln: CWE-643
        return (NodeList) xpath.evaluate(expr, authorityFile, XPathConstants.NODESET);
    }

    public String authorityIdForHeading(String heading) throws XPathExpressionException {
        XPath xpath = xpathFactory.newXPath();
        xpath.setXPathVariableResolver(v -> "heading".equals(v.getLocalPart()) ? heading : null);
        // safe: CWE-643
        return xpath.evaluate("//record[datafield[@tag='150']/subfield[@code='a'] = $heading]/controlfield[@tag='001']", authorityFile);
    }

    public String fieldValue(Document record, String fieldName) throws XPathExpressionException {
        String tag = FIELD_TAGS.get(fieldName);
        if (tag == null) {
            throw new IllegalArgumentException("unsupported field " + fieldName);
        }
        XPath xpath = xpathFactory.newXPath();
        // safe: CWE-643
        return xpath.evaluate("//datafield[@tag='" + tag + "']/subfield[@code='a']", record);
    }

    public String subfield(Document record, String tag, String code) throws XPathExpressionException {
        XPath xpath = xpathFactory.newXPath();
        StringBuilder expr = new StringBuilder("//datafield[@tag='").append(tag).append("']");
        expr.append("/subfield[@code='").append(code).append("']");
        // vuln: CWE-643
        return xpath.compile(expr.toString()).evaluate(record);
    }

    public Node recordByControlNumber(Document batch, String controlNumber) throws XPathExpressionException {
        XPath xpath = xpathFactory.newXPath();
        // vuln: CWE-643
        return (Node) xpath.evaluate(String.format("//record[controlfield[@tag='001']='%s']", controlNumber), batch, XPathConstants.NODE);
    }

    public Node recordAt(Document batch, String position) throws XPathExpressionException {
        int index = Integer.parseInt(position);
        XPath xpath = xpathFactory.newXPath();
        // safe: CWE-643
        return (Node) xpath.evaluate("/collection/record[" + index + "]", batch, XPathConstants.NODE);
    }

    public NodeList recordsBySubject(Document batch, String subject) throws XPathExpressionException {
        XPath xpath = xpathFactory.newXPath();
        String query = "//record[datafield[@tag='650']/subfield[@code='a']='" + subject + "']";
        // vuln: CWE-643
        NodeList hits = (NodeList) xpath.compile(query).evaluate(batch, XPathConstants.NODESET);
        return hits;
    }

    public NodeList recordsByPublisher(Document batch, String publisher) throws XPathExpressionException {
        XPath xpath = xpathFactory.newXPath();
        xpath.setXPathVariableResolver(v -> new QName("pub").equals(v) ? publisher : null);
        // safe: CWE-643
        return (NodeList) xpath.compile("//record[datafield[@tag='264']/subfield[@code='b'] = $pub]").evaluate(batch, XPathConstants.NODESET);
    }

    // --- helpers -------------------------------------------------------------------

    private static List<String> collectText(XMLStreamReader reader, String element) throws XMLStreamException {
        List<String> values = new ArrayList<>();
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamConstants.START_ELEMENT && element.equals(reader.getLocalName())) {
                values.add(reader.getElementText());
            }
        }
        reader.close();
        return values;
    }

    static final class ControlFieldHandler extends DefaultHandler {
        private final String tag;
        private final List<String> sink;
        private StringBuilder current;

        ControlFieldHandler(String tag, List<String> sink) {
            this.tag = tag;
            this.sink = sink;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes atts) {
            if (MARC_NS.equals(uri) && ("controlfield".equals(localName) || "datafield".equals(localName))
                    && tag.equals(atts.getValue("tag"))) {
                current = new StringBuilder();
            }
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (current != null) {
                current.append(ch, start, length);
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            if (current != null) {
                sink.add(current.toString().trim());
                current = null;
            }
        }
    }
}
