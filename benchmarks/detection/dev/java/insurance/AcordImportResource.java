package com.harbormutual.partners;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import javax.inject.Inject;
import javax.ws.rs.Consumes;
import javax.ws.rs.HeaderParam;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.xml.XMLConstants;
import javax.xml.bind.JAXBContext;
import javax.xml.bind.Unmarshaller;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamReader;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

@Path("/partners/acord")
@Produces(MediaType.APPLICATION_JSON)
public class AcordImportResource {

    private static final Logger log = LoggerFactory.getLogger(AcordImportResource.class);
    private static final Pattern VIN = Pattern.compile("^[A-HJ-NPR-Z0-9]{17}$");
    private static final Pattern INBOX_NAME = Pattern.compile("^[A-Za-z0-9._-]{1,80}\\.(xml|edi|x12)$");
    private static final Set<String> LOSS_CAUSES = Set.of("COLL", "COMP", "GLASS", "HAIL", "THEFT", "FIRE", "WATER");

    private final java.nio.file.Path inboxRoot = Paths.get("/var/harbor/partner-inbox").toAbsolutePath().normalize();

    @Inject
    private ClaimIntakeGateway intake;

    @POST
    @Path("/first-notice")
    @Consumes(MediaType.APPLICATION_XML)
    public Response firstNoticeOfLoss(InputStream body, @QueryParam("policyNumber") String policyNumber) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setExpandEntityReferences(false);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // vuln: CWE-611
        Document doc = builder.parse(body);
        XPath xpath = XPathFactory.newInstance().newXPath();
        String expr = "//PersPolicy[PolicyNumber='" + policyNumber + "']/LOBCd";
        // vuln: CWE-643
        String lob = xpath.evaluate(expr, doc);
        intake.registerNotice(policyNumber, lob, doc);
        return Response.accepted(Map.of("policyNumber", policyNumber, "lob", lob)).build();
    }

    @POST
    @Path("/first-notice/v2")
    @Consumes(MediaType.APPLICATION_XML)
    public Response firstNoticeOfLossV2(InputStream body, @QueryParam("policyNumber") String policyNumber) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setXIncludeAware(false);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // safe: CWE-611
        Document doc = builder.parse(body);
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setXPathVariableResolver((QName name) -> "pn".equals(name.getLocalPart()) ? policyNumber : null);
        // safe: CWE-643
        String lob = xpath.evaluate("//PersPolicy[PolicyNumber=$pn]/LOBCd", doc);
        intake.registerNotice(policyNumber, lob, doc);
        return Response.accepted(Map.of("policyNumber", policyNumber, "lob", lob)).build();
    }

    @POST
    @Path("/vehicles")
    @Consumes(MediaType.APPLICATION_XML)
    public Response vehicleSchedule(InputStream body, @HeaderParam("X-Vehicle-Vin") String vin) throws Exception {
        Document doc = parseHardened(body);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        NodeList drivers = (NodeList) xpath.evaluate(String.format("//PersVeh[VehIdentificationNumber='%s']/DriverVeh/@DriverRef", vin), doc, XPathConstants.NODESET);
        return Response.ok(Map.of("vin", vin, "drivers", drivers.getLength())).build();
    }

    @POST
    @Path("/vehicles/v2")
    @Consumes(MediaType.APPLICATION_XML)
    public Response vehicleScheduleV2(InputStream body, @HeaderParam("X-Vehicle-Vin") String vin) throws Exception {
        if (vin == null || !VIN.matcher(vin.toUpperCase()).matches()) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", "invalid VIN")).build();
        }
        String normalizedVin = vin.toUpperCase();
        Document doc = parseHardened(body);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        NodeList drivers = (NodeList) xpath.evaluate(String.format("//PersVeh[VehIdentificationNumber='%s']/DriverVeh/@DriverRef", normalizedVin), doc, XPathConstants.NODESET);
        return Response.ok(Map.of("vin", normalizedVin, "drivers", drivers.getLength())).build();
    }

    @POST
    @Path("/losses/{cause}")
    @Consumes(MediaType.APPLICATION_XML)
    public Response lossesByCause(InputStream body, @PathParam("cause") String cause) throws Exception {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setNamespaceAware(true);
        SAXParser parser = spf.newSAXParser();
        List<String> claimRefs = new ArrayList<>();
        DefaultHandler handler = new DefaultHandler() {
            @Override
            public void startElement(String uri, String localName, String qName, Attributes atts) {
                if ("ClaimsOccurrence".equals(localName) && atts.getValue("id") != null) {
                    claimRefs.add(atts.getValue("id"));
                }
            }
        };
        // vuln: CWE-611
        parser.parse(body, handler);
        log.info("Partner batch had {} occurrences for cause {}", claimRefs.size(), cause);
        Document index = intake.occurrenceIndex(claimRefs);
        XPath xpath = XPathFactory.newInstance().newXPath();
        String filter = cause.replace("'", "");
        // vuln: CWE-643
        Double count = (Double) xpath.evaluate("count(//Occurrence[LossCauseCd='" + filter + "' or @alias=\"" + filter + "\"])", index, XPathConstants.NUMBER);
        return Response.ok(Map.of("cause", cause, "count", count.intValue())).build();
    }

    @POST
    @Path("/losses/v2/{cause}")
    @Consumes(MediaType.APPLICATION_XML)
    public Response lossesByCauseV2(InputStream body, @PathParam("cause") String cause) throws Exception {
        String causeCode = cause.toUpperCase();
        if (!LOSS_CAUSES.contains(causeCode)) {
            return Response.status(Response.Status.BAD_REQUEST).build();
        }
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setNamespaceAware(true);
        spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        spf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        SAXParser parser = spf.newSAXParser();
        List<String> claimRefs = new ArrayList<>();
        DefaultHandler handler = new DefaultHandler() {
            @Override
            public void startElement(String uri, String localName, String qName, Attributes atts) {
                if ("ClaimsOccurrence".equals(localName) && atts.getValue("id") != null) {
                    claimRefs.add(atts.getValue("id"));
                }
            }
        };
        // safe: CWE-611
        parser.parse(body, handler);
        Document index = intake.occurrenceIndex(claimRefs);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        Double count = (Double) xpath.evaluate("count(//Occurrence[LossCauseCd='" + causeCode + "'])", index, XPathConstants.NUMBER);
        return Response.ok(Map.of("cause", causeCode, "count", count.intValue())).build();
    }

    @POST
    @Path("/policy-change")
    @Consumes(MediaType.APPLICATION_XML)
    public Response policyChange(InputStream body) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        xif.setProperty(XMLInputFactory.IS_COALESCING, true);
        // vuln: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(body);
        Unmarshaller um = JAXBContext.newInstance(PolicyChangeRq.class).createUnmarshaller();
        PolicyChangeRq change = um.unmarshal(reader, PolicyChangeRq.class).getValue();
        intake.applyPolicyChange(change);
        return Response.accepted().build();
    }

    @POST
    @Path("/policy-change/v2")
    @Consumes(MediaType.APPLICATION_XML)
    public Response policyChangeV2(InputStream body) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // safe: CWE-611
        XMLStreamReader reader = xif.createXMLStreamReader(body);
        Unmarshaller um = JAXBContext.newInstance(PolicyChangeRq.class).createUnmarshaller();
        PolicyChangeRq change = um.unmarshal(reader, PolicyChangeRq.class).getValue();
        intake.applyPolicyChange(change);
        return Response.accepted().build();
    }

    @POST
    @Path("/edi/drop")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    public Response dropEdiFile(InputStream body, @HeaderParam("X-Partner-Id") String partnerId, @HeaderParam("X-File-Name") String fileName) throws IOException {
        File partnerDir = new File(inboxRoot.toFile(), partnerId);
        File target = new File(partnerDir, fileName);
        Files.createDirectories(partnerDir.toPath());
        // vuln: CWE-22
        Files.copy(body, target.toPath(), StandardCopyOption.REPLACE_EXISTING);
        log.info("Stored EDI drop {} bytes for partner {}", target.length(), partnerId);
        return Response.accepted().build();
    }

    @POST
    @Path("/edi/drop/v2")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    public Response dropEdiFileV2(InputStream body, @HeaderParam("X-Partner-Id") String partnerId, @HeaderParam("X-File-Name") String fileName) throws IOException {
        String partner = intake.resolvePartnerCode(partnerId);
        java.nio.file.Path nameOnly = Paths.get(fileName == null ? "" : fileName).getFileName();
        if (partner == null || nameOnly == null || !INBOX_NAME.matcher(nameOnly.toString()).matches()) {
            return Response.status(Response.Status.BAD_REQUEST).build();
        }
        java.nio.file.Path target = inboxRoot.resolve(partner).resolve(nameOnly.toString()).normalize();
        if (!target.startsWith(inboxRoot)) {
            return Response.status(Response.Status.BAD_REQUEST).build();
        }
        Files.createDirectories(target.getParent());
        // safe: CWE-22
        Files.copy(body, target, StandardCopyOption.REPLACE_EXISTING);
        return Response.accepted().build();
    }

    private Document parseHardened(InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return dbf.newDocumentBuilder().parse(in);
    }

    public static class PolicyChangeRq {
        public String policyNumber;
        public String changeType;
        public String effectiveDate;
    }

    public interface ClaimIntakeGateway {
        void registerNotice(String policyNumber, String lob, Document doc);
        Document occurrenceIndex(List<String> claimRefs);
        void applyPolicyChange(PolicyChangeRq change);
        String resolvePartnerCode(String partnerId);
    }
}
