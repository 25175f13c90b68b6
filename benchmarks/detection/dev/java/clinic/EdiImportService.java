package com.example.logistics.edi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import com.thoughtworks.xstream.XStream;
import com.thoughtworks.xstream.security.NoTypePermission;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.StringReader;
import java.util.Base64;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.bind.JAXBContext;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.sax.SAXSource;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;
import org.dom4j.Document;
import org.dom4j.io.SAXReader;
import org.jdom2.input.SAXBuilder;
import org.xml.sax.InputSource;
import org.xml.sax.XMLReader;

/** EDI and partner-file imports: XML manifests, saved filters and job payloads. */
public class EdiImportService {

    public static class Manifest {
        public String id;
    }

    public static class SavedFilter {
        public String depot;
        public String status;
    }

    public int consignments(InputStream body) throws Exception {
        SAXReader reader = new SAXReader();
        // vuln: CWE-611
        Document doc = reader.read(body);
        return doc.selectNodes("//consignment").size();
    }

    public int invoiceLines(String xml) throws Exception {
        SAXBuilder builder = new SAXBuilder();
        // vuln: CWE-611
        org.jdom2.Document doc = builder.build(new StringReader(xml));
        return doc.getRootElement().getChildren("line").size();
    }

    public String renderCustoms(String xml) throws Exception {
        TransformerFactory factory = TransformerFactory.newInstance();
        Transformer transformer = factory.newTransformer();
        StreamResult result = new StreamResult(new java.io.StringWriter());
        // vuln: CWE-611
        transformer.transform(new StreamSource(new StringReader(xml)), result);
        return result.getWriter().toString();
    }

    public Manifest unmarshalManifest(InputStream body) throws Exception {
        XMLReader xmlReader = SAXParserFactory.newInstance().newSAXParser().getXMLReader();
        SAXSource source = new SAXSource(xmlReader, new InputSource(body));
        // vuln: CWE-611
        return (Manifest) JAXBContext.newInstance(Manifest.class).createUnmarshaller().unmarshal(source);
    }

    public int consignmentsSafe(InputStream body) throws Exception {
        SAXReader reader = new SAXReader();
        reader.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        // safe: CWE-611
        Document doc = reader.read(body);
        return doc.selectNodes("//consignment").size();
    }

    public int invoiceLinesSafe(String xml) throws Exception {
        SAXBuilder builder = new SAXBuilder();
        builder.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        builder.setExpandEntities(false);
        // safe: CWE-611
        org.jdom2.Document doc = builder.build(new StringReader(xml));
        return doc.getRootElement().getChildren("line").size();
    }

    public String renderCustomsSafe(String xml) throws Exception {
        TransformerFactory factory = TransformerFactory.newInstance();
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        Transformer transformer = factory.newTransformer();
        StreamResult result = new StreamResult(new java.io.StringWriter());
        // safe: CWE-611
        transformer.transform(new StreamSource(new StringReader(xml)), result);
        return result.getWriter().toString();
    }

    public SavedFilter savedFilter(String cookieValue) throws Exception {
        XStream xstream = new XStream();
        // vuln: CWE-502
        return (SavedFilter) xstream.fromXML(new String(Base64.getDecoder().decode(cookieValue)));
    }

    public Object jobPayload(byte[] body) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        mapper.enableDefaultTyping(ObjectMapper.DefaultTyping.NON_FINAL);
        // vuln: CWE-502
        return mapper.readValue(body, Object.class);
    }

    public Object routePlan(InputStream body) throws Exception {
        ObjectInputStream in = new ObjectInputStream(body);
        // vuln: CWE-502
        Object plan = in.readObject();
        in.close();
        return plan;
    }

    public SavedFilter savedFilterSafe(String cookieValue) throws Exception {
        XStream xstream = new XStream();
        xstream.addPermission(NoTypePermission.NONE);
        xstream.allowTypes(new Class[] {SavedFilter.class});
        // safe: CWE-502
        return (SavedFilter) xstream.fromXML(new String(Base64.getDecoder().decode(cookieValue)));
    }

    public Map<?, ?> jobPayloadSafe(byte[] body) throws Exception {
        ObjectMapper mapper = JsonMapper.builder().build();
        // safe: CWE-502
        return mapper.readValue(body, Map.class);
    }

    public SavedFilter routePlanSafe(byte[] body) throws Exception {
        ObjectMapper mapper = JsonMapper.builder().activateDefaultTyping(BasicPolymorphicTypeValidator.builder().allowIfSubType(SavedFilter.class).build()).build();
        // safe: CWE-502
        return mapper.readValue(new ByteArrayInputStream(body), SavedFilter.class);
    }
}
