package org.citylibrary.integrations.ill;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.inject.Inject;
import javax.ws.rs.Consumes;
import javax.ws.rs.FormParam;
import javax.ws.rs.GET;
import javax.ws.rs.HeaderParam;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;

/**
 * Inter-library loan (ILL) requests to partner libraries in the regional
 * consortium, plus cover/preview look-ups against partner catalogues.
 */
@Path("/ill")
@Produces(MediaType.APPLICATION_JSON)
public class InterLibraryLoanResource {

    private static final Map<String, String> PARTNER_ENDPOINTS = Map.of(
            "COUNTY", "https://sru.countylibraries.org/sru",
            "UNIV", "https://catalog.stateu.edu/sru",
            "LAW", "https://ils.lawlibrary.city.gov/sru",
            "HIST", "https://archive.historical-society.org/sru");

    private static final String WORLDCAT_BASE = "https://ill-hub.regionalconsortium.org/api/v2";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Inject
    IllRequestStore store;

    @POST
    @Path("/requests")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response submit(@FormParam("partner") String partner,
                           @FormParam("isbn") String isbn,
                           @FormParam("callbackUrl") String callbackUrl) throws IOException, InterruptedException {
        String endpoint = PARTNER_ENDPOINTS.get(partner);
        if (endpoint == null) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", "unknown partner")).build();
        }
        HttpRequest lookup = HttpRequest.newBuilder(URI.create(endpoint + "?operation=searchRetrieve&query=bath.isbn%3D"
                + URLEncoder.encode(isbn, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build();
        // safe: CWE-918
        HttpResponse<String> found = http.send(lookup, HttpResponse.BodyHandlers.ofString());
        long requestId = store.create(partner, isbn, found.body());

        if (callbackUrl != null && !callbackUrl.isBlank()) {
            HttpRequest ping = HttpRequest.newBuilder(URI.create(callbackUrl))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"illRequest\":" + requestId + "}"))
                    .header("Content-Type", "application/json")
                    .build();
            // vuln: CWE-918
            http.sendAsync(ping, HttpResponse.BodyHandlers.discarding());
        }
        return Response.status(Response.Status.CREATED).entity(Map.of("id", requestId)).build();
    }

    @GET
    @Path("/partners/{partner}/records/{recordId}")
    public Response partnerRecord(@PathParam("partner") String partnerHost,
                                  @PathParam("recordId") String recordId) throws IOException, InterruptedException {
        String url = "https://" + partnerHost + "/sru?operation=searchRetrieve&query=rec.id%3D" + recordId;
        // vuln: CWE-918
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return Response.ok(resp.body(), MediaType.APPLICATION_XML).build();
    }

    @GET
    @Path("/status/{requestId}")
    public Response status(@PathParam("requestId") long requestId) throws IOException, InterruptedException {
        URI uri = URI.create(WORLDCAT_BASE + "/requests/" + requestId + "/status");
        // safe: CWE-918
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(uri).header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        return Response.ok(resp.body()).build();
    }

    @GET
    @Path("/cover")
    @Produces("image/jpeg")
    public Response cover(@QueryParam("src") String coverUrl) throws IOException {
        // vuln: CWE-918
        try (InputStream in = new URL(coverUrl).openStream()) {
            return Response.ok(in.readAllBytes()).build();
        }
    }

    @GET
    @Path("/cover/{partner}/{isbn}")
    @Produces("image/jpeg")
    public Response partnerCover(@PathParam("partner") String partner, @PathParam("isbn") String isbn) throws IOException {
        String endpoint = PARTNER_ENDPOINTS.get(partner);
        if (endpoint == null || !isbn.matches("[0-9Xx-]{10,17}")) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        URL url = new URL(endpoint.replace("/sru", "/covers/") + isbn + ".jpg");
        // safe: CWE-918
        try (InputStream in = url.openStream()) {
            return Response.ok(in.readAllBytes()).build();
        }
    }

    @POST
    @Path("/requests/{requestId}/shipping-label")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response shippingLabel(@PathParam("requestId") long requestId, ShippingLabelRequest body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder()
                .uri(URI.create(body.labelServiceUrl + "/labels?ref=ILL-" + requestId))
                .GET()
                .build();
        // vuln: CWE-918
        HttpResponse<byte[]> label = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        return Response.ok(label.body(), "application/pdf").build();
    }

    @GET
    @Path("/partners/{partner}/availability")
    public Response availability(@PathParam("partner") String partner,
                                 @QueryParam("isbn") String isbn,
                                 @HeaderParam("X-Branch") String branch) throws Exception {
        String endpoint = PARTNER_ENDPOINTS.getOrDefault(partner, PARTNER_ENDPOINTS.get("COUNTY"));
        URI uri = URI.create(endpoint + "?operation=searchRetrieve&recordSchema=marcxml&query=bath.isbn%3D"
                + URLEncoder.encode(isbn, StandardCharsets.UTF_8));
        // safe: CWE-918
        HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());

        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = dbf.newDocumentBuilder().parse(resp.body());
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        String copies = xpath.evaluate("count(//holding[location='" + branch + "' and status='available'])", doc);
        xpath.setXPathVariableResolver(q -> "loc".equals(q.getLocalPart()) ? branch : null);
        // safe: CWE-643
        String onOrder = xpath.evaluate("count(//holding[location=$loc and status='on order'])", doc);
        return Response.ok(Map.of("available", copies, "onOrder", onOrder)).build();
    }

    @GET
    @Path("/requests/{requestId}/track")
    public Response track(@PathParam("requestId") long requestId, @QueryParam("carrierUrl") String carrierUrl) {
        String tracking = store.trackingNumber(requestId);
        if (carrierUrl != null) {
            // vuln: CWE-601
            return Response.seeOther(URI.create(carrierUrl + "?tracking=" + tracking)).build();
        }
        // safe: CWE-601
        return Response.seeOther(URI.create("https://tools.usps.com/go/TrackConfirmAction?tLabels=" + URLEncoder.encode(tracking, StandardCharsets.UTF_8))).build();
    }

    public static class ShippingLabelRequest {
        public String labelServiceUrl;
        public String weightGrams;
    }

    public interface IllRequestStore {
        long create(String partner, String isbn, String partnerRecord);
        String trackingNumber(long requestId);
    }
}
