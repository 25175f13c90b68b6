package gov.riverton.permits;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.thoughtworks.xstream.XStream;
import com.thoughtworks.xstream.security.AnyTypePermission;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.glassfish.jersey.media.multipart.FormDataContentDisposition;
import org.glassfish.jersey.media.multipart.FormDataParam;
import org.owasp.encoder.Encode;
import org.w3c.dom.Document;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Building-permit applications submitted by residents and their contractors:
 * application packets, supporting document uploads and e-plan submittal manifests.
 */
@Path("/permits/applications")
public class BuildingPermitApplicationResource {

    private static final java.nio.file.Path UPLOAD_ROOT = Paths.get("/srv/riverton/permits/uploads");
    private static final java.nio.file.Path STAMPED_ROOT = Paths.get("/srv/riverton/permits/stamped");
    private static final Pattern DOCUMENT_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\\.(pdf|dwg|dxf|png|jpg)$");
    private static final Map<String, String> ALLOWED_EXTENSIONS = Map.of(
            "application/pdf", ".pdf",
            "image/png", ".png",
            "image/jpeg", ".jpg",
            "image/vnd.dwg", ".dwg");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    private final ObjectMapper mapper = new ObjectMapper();

    @Inject
    PermitApplicationService applications;

    @Context
    SecurityContext security;

    // vuln: CWE-798
    private final AwsBasicCredentials documentBucketCredentials = AwsBasicCredentials.create("AKIAR5TQ2VXKRVTNP7LM", "q8Zt4WmK2rVx9LbN6cYe1HsJ0pUg3DfA7oTiQw5E");

    private final S3Client documentStore = S3Client.builder()
            .region(Region.US_EAST_2)
            .credentialsProvider(StaticCredentialsProvider.create(documentBucketCredentials))
            .build();

    private S3Client archiveStore() {
        // safe: CWE-798
        AwsBasicCredentials creds = AwsBasicCredentials.create(System.getenv("PERMIT_ARCHIVE_ACCESS_KEY_ID"), System.getenv("PERMIT_ARCHIVE_SECRET_ACCESS_KEY"));
        return S3Client.builder().region(Region.US_EAST_2).credentialsProvider(StaticCredentialsProvider.create(creds)).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response submit(String body) throws IOException {
        // safe: CWE-502
        PermitApplicationDto dto = mapper.readValue(body, PermitApplicationDto.class);
        long id = applications.create(security.getUserPrincipal().getName(), dto);
        return Response.created(URI.create("/permits/applications/" + id)).entity(Map.of("id", id)).build();
    }

    /**
     * Contractors migrating from the county's old e-permit desktop tool upload its
     * exported application packet, which is an XStream XML dump.
     */
    @POST
    @Path("/import-packet")
    @Consumes({MediaType.APPLICATION_XML, MediaType.TEXT_XML})
    @Produces(MediaType.APPLICATION_JSON)
    public Response importPacket(String packetXml) {
        XStream xstream = new XStream();
        xstream.addPermission(AnyTypePermission.ANY);
        xstream.alias("permitPacket", LegacyPermitPacket.class);
        // vuln: CWE-502
        LegacyPermitPacket packet = (LegacyPermitPacket) xstream.fromXML(packetXml);
        long id = applications.createFromLegacy(security.getUserPrincipal().getName(), packet);
        return Response.ok(Map.of("id", id)).build();
    }

    @POST
    @Path("/{id}/documents")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Response uploadDocument(@PathParam("id") long applicationId,
                                   @FormDataParam("file") InputStream fileStream,
                                   @FormDataParam("file") FormDataContentDisposition fileDetail) throws IOException, InterruptedException {
        applications.requireOwner(applicationId, security.getUserPrincipal().getName());
        java.nio.file.Path dir = UPLOAD_ROOT.resolve(Long.toString(applicationId));
        Files.createDirectories(dir);
        // vuln: CWE-22
        Files.copy(fileStream, dir.resolve(fileDetail.getFileName()), StandardCopyOption.REPLACE_EXISTING);

        String stored = dir.resolve(fileDetail.getFileName()).toString();
        // vuln: CWE-78
        Process scan = new ProcessBuilder("/bin/sh", "-c", "clamdscan --fdpass --no-summary '" + stored + "' >> /var/log/riverton/permit-scan.log").start();
        if (scan.waitFor() != 0) {
            Files.deleteIfExists(dir.resolve(fileDetail.getFileName()));
            return Response.status(422).entity(Map.of("error", "The file failed the virus scan.")).build();
        }
        applications.recordDocument(applicationId, fileDetail.getFileName());
        return Response.ok(Map.of("stored", fileDetail.getFileName())).build();
    }

    @POST
    @Path("/{id}/plans")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Response uploadPlanSet(@PathParam("id") long applicationId,
                                  @FormDataParam("file") InputStream fileStream,
                                  @FormDataParam("file") FormDataContentDisposition fileDetail,
                                  @FormDataParam("contentType") String contentType) throws IOException, InterruptedException {
        applications.requireOwner(applicationId, security.getUserPrincipal().getName());
        String extension = ALLOWED_EXTENSIONS.get(contentType == null ? "" : contentType.toLowerCase(Locale.ROOT));
        if (extension == null) {
            throw new BadRequestException("Unsupported plan format");
        }
        java.nio.file.Path dir = UPLOAD_ROOT.resolve(Long.toString(applicationId));
        Files.createDirectories(dir);
        java.nio.file.Path target = dir.resolve(UUID.randomUUID() + extension);
        // safe: CWE-22
        Files.copy(fileStream, target, StandardCopyOption.REPLACE_EXISTING);

        // safe: CWE-78
        Process scan = new ProcessBuilder("clamdscan", "--fdpass", "--no-summary", target.toString()).redirectErrorStream(true).start();
        if (scan.waitFor() != 0) {
            Files.deleteIfExists(target);
            return Response.status(422).entity(Map.of("error", "The file failed the virus scan.")).build();
        }
        applications.recordPlanSheet(applicationId, target.getFileName().toString(), fileDetail.getFileName());
        return Response.ok(Map.of("stored", target.getFileName().toString())).build();
    }

    @GET
    @Path("/{id}/documents/file")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response downloadDocument(@PathParam("id") long applicationId, @QueryParam("name") String name) {
        applications.requireOwner(applicationId, security.getUserPrincipal().getName());
        if (name == null || name.contains("..") || name.startsWith("/")) {
            throw new BadRequestException("Invalid document name");
        }
        String decoded = URLDecoder.decode(name, StandardCharsets.UTF_8);
        java.nio.file.Path dir = UPLOAD_ROOT.resolve(Long.toString(applicationId));
        StreamingOutput body = out -> {
            // vuln: CWE-22
            try (InputStream in = Files.newInputStream(dir.resolve(decoded))) {
                in.transferTo(out);
            }
        };
        return Response.ok(body).header("Content-Disposition", "attachment").build();
    }

    @GET
    @Path("/{id}/stamped/{name}")
    @Produces("application/pdf")
    public Response downloadStamped(@PathParam("id") long applicationId, @PathParam("name") String name) {
        applications.requireOwner(applicationId, security.getUserPrincipal().getName());
        if (!DOCUMENT_NAME.matcher(name).matches()) {
            throw new NotFoundException();
        }
        java.nio.file.Path dir = STAMPED_ROOT.resolve(Long.toString(applicationId));
        StreamingOutput body = out -> {
            // safe: CWE-22
            try (InputStream in = Files.newInputStream(dir.resolve(name))) {
                in.transferTo(out);
            }
        };
        return Response.ok(body).header("Content-Disposition", "attachment; filename=\"" + name + "\"").build();
    }

    /** E-plan submittal manifest exported by the applicant's CAD / ePlans tool. */
    @POST
    @Path("/{id}/manifest")
    @Consumes({MediaType.APPLICATION_XML, MediaType.TEXT_XML})
    @Produces(MediaType.APPLICATION_JSON)
    public Response uploadManifest(@PathParam("id") long applicationId, InputStream manifest) throws Exception {
        applications.requireOwner(applicationId, security.getUserPrincipal().getName());
        // vuln: CWE-611
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(manifest);
        int sheets = doc.getElementsByTagName("Sheet").getLength();
        applications.recordManifest(applicationId, doc);
        return Response.ok(Map.of("sheets", sheets)).build();
    }

    /** Stormwater calculations are uploaded as the XML report produced by the state's tool. */
    @POST
    @Path("/{id}/stormwater-report")
    @Consumes({MediaType.APPLICATION_XML, MediaType.TEXT_XML})
    @Produces(MediaType.APPLICATION_JSON)
    public Response uploadStormwaterReport(@PathParam("id") long applicationId, InputStream report) throws Exception {
        applications.requireOwner(applicationId, security.getUserPrincipal().getName());
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setExpandEntityReferences(false);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // vuln: CWE-611
        Document doc = builder.parse(report);
        applications.recordStormwater(applicationId, doc.getDocumentElement().getAttribute("totalImperviousSqFt"));
        return Response.ok(Map.of("received", true)).build();
    }

    /** Energy-code compliance report (REScheck/COMcheck XML export). */
    @POST
    @Path("/{id}/energy-report")
    @Consumes({MediaType.APPLICATION_XML, MediaType.TEXT_XML})
    @Produces(MediaType.APPLICATION_JSON)
    public Response uploadEnergyReport(@PathParam("id") long applicationId, InputStream report) throws Exception {
        applications.requireOwner(applicationId, security.getUserPrincipal().getName());
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setXIncludeAware(false);
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // safe: CWE-611
        Document doc = builder.parse(report);
        String result = doc.getDocumentElement().getAttribute("complianceResult");
        applications.recordEnergyCompliance(applicationId, "PASSES".equalsIgnoreCase(result));
        return Response.ok(Map.of("passes", "PASSES".equalsIgnoreCase(result))).build();
    }

    /** Contractor license attestation signed by the state licensing board, streamed with SAX. */
    @POST
    @Path("/{id}/license-attestation")
    @Consumes({MediaType.APPLICATION_XML, MediaType.TEXT_XML})
    @Produces(MediaType.APPLICATION_JSON)
    public Response uploadAttestation(@PathParam("id") long applicationId, InputStream attestation) throws Exception {
        applications.requireOwner(applicationId, security.getUserPrincipal().getName());
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setNamespaceAware(true);
        spf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        spf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        spf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        spf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        SAXParser parser = spf.newSAXParser();
        AttestationHandler handler = new AttestationHandler();
        // safe: CWE-611
        parser.parse(attestation, handler);
        applications.recordAttestation(applicationId, handler.licenseNumber(), handler.expires());
        return Response.ok(Map.of("license", handler.licenseNumber())).build();
    }

    /** Attach a document the applicant already shared from a cloud drive. */
    @POST
    @Path("/{id}/documents/link")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response attachFromLink(@PathParam("id") long applicationId, DocumentLinkRequest link) throws IOException, InterruptedException {
        applications.requireOwner(applicationId, security.getUserPrincipal().getName());
        HttpRequest request = HttpRequest.newBuilder(URI.create(link.getDocumentUrl())).timeout(Duration.ofSeconds(20)).GET().build();
        // vuln: CWE-918
        HttpResponse<InputStream> fetched = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        java.nio.file.Path target = UPLOAD_ROOT.resolve(Long.toString(applicationId)).resolve(UUID.randomUUID() + ".pdf");
        Files.createDirectories(target.getParent());
        try (InputStream in = fetched.body()) {
            Files.copy(in, target);
        }
        applications.recordDocument(applicationId, target.getFileName().toString());
        return Response.ok(Map.of("status", fetched.statusCode())).build();
    }

    /** Attach a document from the resident's Riverton document vault. */
    @POST
    @Path("/{id}/documents/vault")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response attachFromVault(@PathParam("id") long applicationId, VaultAttachRequest attach) throws IOException, InterruptedException {
        applications.requireOwner(applicationId, security.getUserPrincipal().getName());
        UUID documentId = UUID.fromString(attach.getDocumentId());
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://docvault.riverton.gov/api/v2/documents/" + documentId + "/content")).GET().build();
        // safe: CWE-918
        HttpResponse<InputStream> fetched = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        java.nio.file.Path target = UPLOAD_ROOT.resolve(Long.toString(applicationId)).resolve(documentId + ".pdf");
        try (InputStream in = fetched.body()) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return Response.ok(Map.of("status", fetched.statusCode())).build();
    }

    @GET
    @Path("/{id}/status")
    @Produces(MediaType.TEXT_HTML)
    public String statusPage(@PathParam("id") long applicationId, @QueryParam("ref") String ref) {
        PermitApplicationDto app = applications.find(applicationId, security.getUserPrincipal().getName());
        StringBuilder html = new StringBuilder("<html><body><section class=\"permit-status\">");
        // safe: CWE-79
        html.append("<h1>").append(Encode.forHtml(app.getProjectName())).append("</h1>");
        html.append("<p>Status: ").append(app.getStatus().name()).append("</p>");
        if (ref != null) {
            // vuln: CWE-79
            html.append("<p class=\"ref\">Your reference: ").append(ref).append("</p>");
        }
        html.append("</section></body></html>");
        return html.toString();
    }

    @GET
    @Path("/{id}/continue")
    public Response continueApplication(@PathParam("id") long applicationId, @QueryParam("next") String next) {
        applications.requireOwner(applicationId, security.getUserPrincipal().getName());
        if (next != null && !next.isBlank()) {
            // vuln: CWE-601
            return Response.seeOther(URI.create(next)).build();
        }
        long reviewId = applications.currentReviewCycle(applicationId);
        // safe: CWE-601
        return Response.seeOther(URI.create("/permits/applications/" + applicationId + "/reviews/" + reviewId)).build();
    }
}
