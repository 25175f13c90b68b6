package edu.uniplatform.imports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import java.beans.XMLDecoder;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;
import javax.xml.xpath.XPathFactory;
import org.jdom2.Element;
import org.jdom2.input.SAXBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

@RestController
@RequestMapping("/api/imports")
@PreAuthorize("hasRole('REGISTRAR')")
public class GradebookImportController {

    private final GradeService grades;
    private final ObjectMapper mapper = new ObjectMapper();

    @Value("${imports.staging-dir:/srv/campus/imports}")
    private String stagingDir;

    public GradebookImportController(GradeService grades) {
        this.grades = grades;
    }

    @PostMapping(value = "/grades/xml", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<String> importGradesXml(@RequestPart("file") MultipartFile file) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // vuln: CWE-611
        Document doc = builder.parse(file.getInputStream());
        NodeList rows = doc.getElementsByTagName("grade");
        for (int i = 0; i < rows.getLength(); i++) {
            org.w3c.dom.Element row = (org.w3c.dom.Element) rows.item(i);
            grades.record(row.getAttribute("student"), row.getAttribute("course"), row.getTextContent());
        }
        return ResponseEntity.ok(rows.getLength() + " grades imported");
    }

    @PostMapping(value = "/grades/xml/v2", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<String> importGradesXmlHardened(@RequestPart("file") MultipartFile file) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        dbf.setXIncludeAware(false);
        dbf.setExpandEntityReferences(false);
        // safe: CWE-611
        Document doc = dbf.newDocumentBuilder().parse(file.getInputStream());
        // safe: CWE-643
        String term = XPathFactory.newInstance().newXPath().evaluate("/gradebook/@term", doc);
        NodeList rows = doc.getElementsByTagName("grade");
        for (int i = 0; i < rows.getLength(); i++) {
            org.w3c.dom.Element row = (org.w3c.dom.Element) rows.item(i);
            grades.record(row.getAttribute("student"), row.getAttribute("course"), row.getTextContent());
        }
        return ResponseEntity.ok(rows.getLength() + " grades imported for " + term);
    }

    @PostMapping(value = "/roster", consumes = MediaType.APPLICATION_XML_VALUE)
    public ResponseEntity<Integer> importRoster(HttpServletRequest request) throws Exception {
        List<String> studentNos = new ArrayList<>();
        SAXParser parser = SAXParserFactory.newInstance().newSAXParser();
        DefaultHandler handler = new DefaultHandler() {
            @Override
            public void startElement(String uri, String localName, String qName, Attributes attributes) {
                if ("student".equals(qName)) {
                    studentNos.add(attributes.getValue("number"));
                }
            }
        };
        // vuln: CWE-611
        parser.parse(request.getInputStream(), handler);
        grades.replaceRoster(studentNos);
        return ResponseEntity.ok(studentNos.size());
    }

    @PostMapping(value = "/roster/v2", consumes = MediaType.APPLICATION_XML_VALUE)
    public ResponseEntity<Integer> importRosterHardened(HttpServletRequest request) throws Exception {
        List<String> studentNos = new ArrayList<>();
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        spf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        spf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        SAXParser parser = spf.newSAXParser();
        DefaultHandler handler = new DefaultHandler() {
            @Override
            public void startElement(String uri, String localName, String qName, Attributes attributes) {
                if ("student".equals(qName)) {
                    studentNos.add(attributes.getValue("number"));
                }
            }
        };
        // safe: CWE-611
        parser.parse(request.getInputStream(), handler);
        grades.replaceRoster(studentNos);
        return ResponseEntity.ok(studentNos.size());
    }

    @PostMapping(value = "/attendance", consumes = MediaType.APPLICATION_XML_VALUE)
    public ResponseEntity<Integer> importAttendance(@RequestBody String body) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        // vuln: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(new StringReader(body));
        int count = 0;
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamConstants.START_ELEMENT && "present".equals(reader.getLocalName())) {
                grades.markPresent(reader.getAttributeValue(null, "student"), reader.getAttributeValue(null, "session"));
                count++;
            }
        }
        return ResponseEntity.ok(count);
    }

    @PostMapping(value = "/attendance/v2", consumes = MediaType.APPLICATION_XML_VALUE)
    public ResponseEntity<Integer> importAttendanceHardened(@RequestBody String body) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // safe: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(new StringReader(body));
        int count = 0;
        while (reader.hasNext()) {
            if (reader.next() == XMLStreamConstants.START_ELEMENT && "present".equals(reader.getLocalName())) {
                grades.markPresent(reader.getAttributeValue(null, "student"), reader.getAttributeValue(null, "session"));
                count++;
            }
        }
        return ResponseEntity.ok(count);
    }

    @PostMapping(value = "/curriculum", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<Integer> importCurriculum(@RequestPart("file") MultipartFile file) throws Exception {
        SAXBuilder builder = new SAXBuilder();
        try (InputStream in = file.getInputStream()) {
            // vuln: CWE-611
            org.jdom2.Document doc = builder.build(in);
            List<Element> modules = doc.getRootElement().getChildren("module");
            modules.forEach(m -> grades.registerModule(m.getAttributeValue("code"), m.getChildText("title")));
            return ResponseEntity.ok(modules.size());
        }
    }

    @PostMapping(value = "/curriculum/v2", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<Integer> importCurriculumHardened(@RequestPart("file") MultipartFile file) throws Exception {
        SAXBuilder builder = new SAXBuilder();
        builder.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        builder.setExpandEntities(false);
        try (InputStream in = file.getInputStream()) {
            // safe: CWE-611
            org.jdom2.Document doc = builder.build(in);
            List<Element> modules = doc.getRootElement().getChildren("module");
            modules.forEach(m -> grades.registerModule(m.getAttributeValue("code"), m.getChildText("title")));
            return ResponseEntity.ok(modules.size());
        }
    }

    @PostMapping(value = "/transcript/render", consumes = MediaType.APPLICATION_XML_VALUE, produces = MediaType.TEXT_HTML_VALUE)
    public String renderTranscript(@RequestBody String transcriptXml) throws Exception {
        TransformerFactory tf = TransformerFactory.newInstance();
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        Transformer transformer = tf.newTransformer(new StreamSource(getClass().getResourceAsStream("/xslt/transcript.xsl")));
        ByteArrayOutputStream html = new ByteArrayOutputStream();
        // safe: CWE-611
        transformer.transform(new StreamSource(new StringReader(transcriptXml)), new StreamResult(html));
        return html.toString("UTF-8");
    }

    @PostMapping(value = "/legacy/gradebook", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    public ResponseEntity<String> importLegacyGradebook(HttpServletRequest request) throws Exception {
        try (ObjectInputStream ois = new ObjectInputStream(request.getInputStream())) {
            // vuln: CWE-502
            LegacyGradebook book = (LegacyGradebook) ois.readObject();
            grades.importLegacy(book);
            return ResponseEntity.ok("imported " + book.getCourseCode());
        }
    }

    @PostMapping(value = "/legacy/gradebook/v2", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    public ResponseEntity<String> importLegacyGradebookFiltered(HttpServletRequest request) throws Exception {
        try (ObjectInputStream ois = new ObjectInputStream(request.getInputStream())) {
            ois.setObjectInputFilter(ObjectInputFilter.Config.createFilter("edu.uniplatform.imports.LegacyGradebook;edu.uniplatform.imports.LegacyGrade;java.lang.String;java.util.ArrayList;maxdepth=5;!*"));
            // safe: CWE-502
            LegacyGradebook book = (LegacyGradebook) ois.readObject();
            grades.importLegacy(book);
            return ResponseEntity.ok("imported " + book.getCourseCode());
        }
    }

    @PostMapping(value = "/report-settings", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<String> importReportSettings(@RequestPart("settings") MultipartFile settings) throws IOException {
        try (InputStream in = settings.getInputStream()) {
            // vuln: CWE-502
            ReportSettings rs = (ReportSettings) new XMLDecoder(in).readObject();
            grades.saveReportSettings(rs);
            return ResponseEntity.ok("settings saved");
        }
    }

    @PostMapping(value = "/scale", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> importGradingScale(@RequestBody String json) throws IOException {
        ObjectMapper polymorphic = new ObjectMapper();
        polymorphic.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
        // vuln: CWE-502
        Object scale = polymorphic.readValue(json, Object.class);
        grades.saveScale(scale);
        return ResponseEntity.ok("scale saved");
    }

    @PostMapping(value = "/scale/v2", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> importGradingScaleTyped(@RequestBody String json) throws IOException {
        // safe: CWE-502
        GradingScale scale = mapper.readValue(json, GradingScale.class);
        grades.saveScale(scale);
        return ResponseEntity.ok("scale saved");
    }

    @PostMapping(value = "/program-rules", consumes = "application/x-yaml")
    @SuppressWarnings("unchecked")
    public ResponseEntity<Integer> importProgramRules(@RequestBody String yaml) {
        Yaml loader = new Yaml(new SafeConstructor(new LoaderOptions()));
        // safe: CWE-502
        Map<String, Object> rules = loader.load(yaml);
        grades.saveProgramRules(rules);
        return ResponseEntity.ok(rules.size());
    }

    @PostMapping(value = "/csv/{term}", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<String> stageCsv(@PathVariable String term, @RequestPart("file") MultipartFile file) throws IOException {
        File termDir = new File(stagingDir, term.replaceAll("[^A-Za-z0-9_-]", ""));
        termDir.mkdirs();
        // vuln: CWE-22
        file.transferTo(new File(termDir, file.getOriginalFilename()));
        return ResponseEntity.accepted().body("staged");
    }

    @PostMapping(value = "/csv/{term}/v2", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<String> stageCsvSafely(@PathVariable String term, @RequestPart("file") MultipartFile file, @RequestParam("batch") String batch) throws IOException {
        Path root = Paths.get(stagingDir).toAbsolutePath().normalize();
        Path target = root.resolve(term).resolve(batch + ".csv").normalize();
        if (!target.startsWith(root)) {
            return ResponseEntity.badRequest().body("invalid batch");
        }
        Files.createDirectories(target.getParent());
        // safe: CWE-22
        file.transferTo(target);
        return ResponseEntity.accepted().body("staged");
    }
}
