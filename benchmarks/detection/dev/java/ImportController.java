package com.example.shop.imports;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.beans.XMLDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.StringReader;
import java.util.Base64;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamReader;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import org.xml.sax.helpers.DefaultHandler;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Bulk imports: XML price lists, saved carts and job definitions. */
@RestController
public class ImportController {

    private final ObjectMapper mapper = new ObjectMapper();

    public record Cart(java.util.List<String> items) {}

    @PostMapping("/import/prices")
    public int importPrices(HttpServletRequest request) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // vuln: CWE-611
        Document doc = builder.parse(request.getInputStream());
        return doc.getElementsByTagName("item").getLength();
    }

    @PostMapping("/import/catalog")
    public int importCatalog(@RequestBody String xml) throws Exception {
        SAXParser parser = SAXParserFactory.newInstance().newSAXParser();
        int[] count = {0};
        // vuln: CWE-611
        parser.parse(new InputSource(new StringReader(xml)), new DefaultHandler() {
            @Override
            public void startElement(String uri, String localName, String qName, org.xml.sax.Attributes attributes) {
                count[0]++;
            }
        });
        return count[0];
    }

    private int countSkus(InputStream body) throws Exception {
        XMLInputFactory factory = XMLInputFactory.newInstance();
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, true);
        // vuln: CWE-611
        XMLStreamReader reader = factory.createXMLStreamReader(body);
        int skus = 0;
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamReader.START_ELEMENT && "sku".equals(reader.getLocalName())) {
                skus++;
            }
        }
        return skus;
    }

    @PostMapping("/import/stock")
    public int importStock(HttpServletRequest request) throws Exception {
        return countSkus(request.getInputStream());
    }

    @PostMapping("/import/prices/safe")
    public int importPricesSafe(HttpServletRequest request) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setXIncludeAware(false);
        dbf.setExpandEntityReferences(false);
        // safe: CWE-611
        Document doc = dbf.newDocumentBuilder().parse(request.getInputStream());
        return doc.getElementsByTagName("item").getLength();
    }

    @PostMapping("/import/catalog/safe")
    public int importCatalogSafe(@RequestBody String xml) throws Exception {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        spf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        spf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        SAXParser parser = spf.newSAXParser();
        // safe: CWE-611
        parser.parse(new InputSource(new StringReader(xml)), new DefaultHandler());
        return 1;
    }

    @PostMapping("/import/stock/safe")
    public int importStockSafe(HttpServletRequest request) throws Exception {
        XMLInputFactory factory = XMLInputFactory.newInstance();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        // safe: CWE-611
        XMLStreamReader reader = factory.createXMLStreamReader(request.getInputStream());
        int skus = 0;
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamReader.START_ELEMENT && "sku".equals(reader.getLocalName())) {
                skus++;
            }
        }
        return skus;
    }

    @PostMapping("/cart/restore")
    public Object restoreCart(@CookieValue("saved_cart") String savedCart) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getDecoder().decode(savedCart);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(raw))) {
            // vuln: CWE-502
            return in.readObject();
        }
    }

    @PostMapping("/reports/state")
    public Object restoreReport(HttpServletRequest request) throws IOException {
        try (XMLDecoder decoder = new XMLDecoder(request.getInputStream())) {
            // vuln: CWE-502
            return decoder.readObject();
        }
    }

    @PostMapping("/jobs")
    public Object createJob(@RequestBody String definition) {
        Yaml yaml = new Yaml();
        // vuln: CWE-502
        return yaml.load(definition);
    }

    @PostMapping("/cart/restore/safe")
    public Cart restoreCartSafe(@CookieValue("saved_cart") String savedCart) throws IOException {
        // safe: CWE-502
        return mapper.readValue(Base64.getDecoder().decode(savedCart), Cart.class);
    }

    @PostMapping("/cart/restore/filtered")
    public Object restoreCartFiltered(@CookieValue("saved_cart") String savedCart) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getDecoder().decode(savedCart);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(raw))) {
            in.setObjectInputFilter(ObjectInputFilter.Config.createFilter("java.util.ArrayList;java.lang.String;!*"));
            // safe: CWE-502
            return in.readObject();
        }
    }

    @PostMapping("/jobs/safe")
    public Map<String, Object> createJobSafe(@RequestBody String definition) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        // safe: CWE-502
        return yaml.load(definition);
    }
}
