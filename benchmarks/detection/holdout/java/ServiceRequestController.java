package gov.riverton.servicerequests;

import com.google.gson.Gson;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.owasp.encoder.Encode;
import org.springframework.http.MediaType;
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

/**
 * 311 service requests from the resident app and web form: filing a request, attaching
 * photos, geocoding the reported location and routing it to a field crew.
 */
@RestController
@RequestMapping("/311/requests")
public class ServiceRequestController {

    private static final Path PHOTO_ROOT = Paths.get("/srv/riverton/311/photos");
    private static final String TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    private static final Pattern EMAIL = Pattern.compile("^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\\.[A-Za-z]{2,24}$");
    private static final Map<String, String> GEOCODERS = Map.of(
            "city", "https://gis.riverton.gov/arcgis/rest/services/Locators/RivertonComposite/GeocodeServer/findAddressCandidates",
            "county", "https://maps.harlancounty.gov/arcgis/rest/services/Locators/CountyAddressPoints/GeocodeServer/findAddressCandidates");
    private static final Map<String, String> THUMBNAIL_PRESETS = Map.of(
            "list", "-auto-orient -thumbnail '160x160^' -gravity center -extent 160x160",
            "detail", "-auto-orient -resize '1024x1024>' -quality 82",
            "crew", "-auto-orient -resize '1600x1600>' -quality 88");

    private final ServiceRequestService requests;
    private final Document serviceAreas;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(4)).build();
    private final Gson gson = new Gson();
    private final SecureRandom secureRandom = new SecureRandom();

    public ServiceRequestController(ServiceRequestService requests, ServiceAreaCatalog catalog) {
        this.requests = requests;
        this.serviceAreas = catalog.document();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> file(@RequestBody NewServiceRequest body, HttpSession session) {
        if (body.getContactEmail() != null && EMAIL.matcher(body.getContactEmail()).matches()) {
            // safe: CWE-501
            session.setAttribute("reporterEmail", body.getContactEmail().toLowerCase(Locale.ROOT));
        }
        // vuln: CWE-501
        session.setAttribute("reporterPhone", body.getContactPhone());

        // Anonymous reporters check on their request with this code, no sign-in needed.
        // vuln: CWE-330
        String trackingCode = new Random().ints(10, 0, TRACKING_ALPHABET.length()).mapToObj(i -> String.valueOf(TRACKING_ALPHABET.charAt(i))).collect(Collectors.joining());
        long id = requests.create(body, trackingCode);
        return ResponseEntity.ok(Map.of("id", id, "trackingCode", trackingCode));
    }

    /** The app keeps unfinished drafts on the device and posts them back to resume. */
    @PostMapping(value = "/drafts/restore", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> restoreDraft(@RequestBody String draftJson) {
        // safe: CWE-502
        ServiceRequestDraft draft = gson.fromJson(draftJson, ServiceRequestDraft.class);
        return ResponseEntity.ok(Map.of("category", draft.getCategory(), "description", draft.getDescription()));
    }

    @GetMapping(value = "/{id}/summary", produces = MediaType.TEXT_HTML_VALUE)
    public String summary(@PathVariable("id") long id, @RequestParam(value = "label", required = false) String label) {
        ServiceRequestView view = requests.view(id);
        String locationLabel = label != null ? label : view.getAddress();
        String encodedLabel = Encode.forHtml(locationLabel);
        StringBuilder html = new StringBuilder("<article class=\"sr-summary\">");
        // safe: CWE-79
        html.append("<h2>").append(Encode.forHtml(view.getCategoryName())).append(" &ndash; ").append(encodedLabel).append("</h2>");
        // vuln: CWE-79
        html.append("<p class=\"where\"><a href=\"/311/map?focus=").append(id).append("\">").append(locationLabel).append("</a></p>");
        html.append("<p>").append(Encode.forHtml(view.getDescription())).append("</p>");
        html.append("</article>");
        return html.toString();
    }

    @PostMapping(value = "/{id}/photos", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<Map<String, Object>> uploadPhoto(@PathVariable("id") long id,
                                                           @RequestParam("photo") MultipartFile photo,
                                                           @RequestParam(value = "size", defaultValue = "1024x1024") String size) throws IOException, InterruptedException {
        Path dir = PHOTO_ROOT.resolve(Long.toString(id));
        Files.createDirectories(dir);
        String original = Paths.get(photo.getOriginalFilename()).getFileName().toString();
        Path stored = dir.resolve(id + "-" + original);
        photo.transferTo(stored);

        // Residents' phones embed GPS and device data; strip it before crews see the photo.
        // vuln: CWE-78
        Process strip = new ProcessBuilder("bash", "-c", "exiftool -overwrite_original -all= " + stored).start();
        strip.waitFor();

        Path resized = dir.resolve(UUID.randomUUID() + ".jpg");
        // vuln: CWE-78
        Process convert = Runtime.getRuntime().exec(new String[] {"sh", "-c", "convert " + stored + " -auto-orient -resize " + size + " " + resized});
        convert.waitFor();
        requests.attachPhoto(id, resized.getFileName().toString());
        return ResponseEntity.ok(Map.of("photo", resized.getFileName().toString()));
    }

    @PostMapping(value = "/{id}/photos/{photoId}/thumbnail")
    public ResponseEntity<Map<String, Object>> thumbnail(@PathVariable("id") long id,
                                                         @PathVariable("photoId") String photoId,
                                                         @RequestParam(value = "width", defaultValue = "320") String width,
                                                         @RequestParam(value = "preset", defaultValue = "list") String preset) throws IOException, InterruptedException {
        UUID photo = UUID.fromString(photoId);
        Path source = PHOTO_ROOT.resolve(Long.toString(id)).resolve(photo + ".jpg");
        int px = Math.max(32, Math.min(2048, Integer.parseInt(width)));
        Path sized = PHOTO_ROOT.resolve(Long.toString(id)).resolve(photo + "-" + px + ".jpg");
        // safe: CWE-78
        Process resize = new ProcessBuilder("convert", source.toString(), "-auto-orient", "-resize", px + "x" + px, sized.toString()).start();
        resize.waitFor();

        String presetArgs = THUMBNAIL_PRESETS.get(preset);
        if (presetArgs == null) {
            return ResponseEntity.badRequest().build();
        }
        Path thumb = PHOTO_ROOT.resolve(Long.toString(id)).resolve(photo + "-" + preset + ".jpg");
        // safe: CWE-78
        Process thumbnail = new ProcessBuilder("/bin/sh", "-c", "convert " + source + " " + presetArgs + " " + thumb + " && jpegoptim --strip-all -q " + thumb).start();
        thumbnail.waitFor();
        return ResponseEntity.ok(Map.of("sized", sized.getFileName().toString(), "thumbnail", thumb.getFileName().toString()));
    }

    @GetMapping(value = "/{id}/photos/file", produces = MediaType.IMAGE_JPEG_VALUE)
    public byte[] photoFile(@PathVariable("id") long id, @RequestParam("name") String name) throws IOException {
        requests.requireVisible(id);
        // vuln: CWE-22
        return Files.readAllBytes(PHOTO_ROOT.resolve(Long.toString(id)).resolve(name));
    }

    @GetMapping(value = "/{id}/photos/{photoId}", produces = MediaType.IMAGE_JPEG_VALUE)
    public byte[] photo(@PathVariable("id") long id, @PathVariable("photoId") String photoId) throws IOException {
        requests.requireVisible(id);
        UUID photo = UUID.fromString(photoId);
        // safe: CWE-22
        return Files.readAllBytes(PHOTO_ROOT.resolve(Long.toString(id)).resolve(photo + ".jpg"));
    }

    /** Residents can attach a photo they already posted online (e.g. a shared album link). */
    @PostMapping(value = "/{id}/photos/from-link")
    public ResponseEntity<Map<String, Object>> photoFromLink(@PathVariable("id") long id, @RequestParam("photoUrl") String photoUrl) throws IOException {
        Path target = PHOTO_ROOT.resolve(Long.toString(id)).resolve(UUID.randomUUID() + ".jpg");
        Files.createDirectories(target.getParent());
        // vuln: CWE-918
        URLConnection conn = new URL(photoUrl).openConnection();
        conn.setConnectTimeout(4000);
        conn.setReadTimeout(8000);
        try (InputStream in = conn.getInputStream()) {
            Files.copy(in, target);
        }
        requests.attachPhoto(id, target.getFileName().toString());
        return ResponseEntity.ok(Map.of("photo", target.getFileName().toString()));
    }

    @GetMapping(value = "/geocode", produces = MediaType.APPLICATION_JSON_VALUE)
    public String geocode(@RequestParam("address") String address,
                          @RequestParam(value = "source", defaultValue = "city") String source) throws IOException, InterruptedException {
        String base = GEOCODERS.get(source);
        if (base == null) {
            throw new IllegalArgumentException("Unknown geocoder");
        }
        String url = base + "?SingleLine=" + URLEncoder.encode(address, StandardCharsets.UTF_8) + "&outFields=Addr_type,Match_addr&maxLocations=5&f=json";
        // safe: CWE-918
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return resp.body();
    }

    @GetMapping(value = "/geocode/suggest", produces = MediaType.APPLICATION_JSON_VALUE)
    public String suggest(@RequestParam("text") String text,
                          @RequestParam(value = "lat", defaultValue = "41.55") double lat,
                          @RequestParam(value = "lon", defaultValue = "-88.08") double lon) throws IOException, InterruptedException {
        URI uri = URI.create("https://gis.riverton.gov/arcgis/rest/services/Locators/RivertonComposite/GeocodeServer/suggest?text=" + URLEncoder.encode(text, StandardCharsets.UTF_8) + "&location=" + lon + "," + lat + "&f=json");
        // safe: CWE-918
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The mobile app tells us which regional reverse-geocoding cluster is closest to it. */
    @GetMapping(value = "/geocode/reverse", produces = MediaType.APPLICATION_JSON_VALUE)
    public String reverse(@RequestParam("lat") double lat,
                          @RequestParam("lon") double lon,
                          @RequestHeader(value = "X-Geo-Region", defaultValue = "us-central") String region) throws IOException, InterruptedException {
        String endpoint = "https://" + region + ".revgeo.mapservices-riverton.net/v2/reverse?lat=" + lat + "&lon=" + lon;
        // vuln: CWE-918
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(endpoint)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return resp.body();
    }

    @GetMapping(value = "/routing/crew", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, String> crewForStreet(@RequestParam("street") String street) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        String normalized = street.trim().toUpperCase(Locale.ROOT);
        // vuln: CWE-643
        String crew = xpath.evaluate("/serviceAreas/area[street/@name='" + normalized + "']/@crew", serviceAreas);
        return Map.of("street", normalized, "crew", crew);
    }

    @GetMapping(value = "/routing/area", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, String> crewForArea(@RequestParam("area") String area) throws XPathExpressionException {
        int areaId = Integer.parseInt(area);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        String crew = xpath.evaluate("/serviceAreas/area[@id='" + areaId + "']/@crew", serviceAreas);
        return Map.of("area", Integer.toString(areaId), "crew", crew);
    }

    /** Residents can share a read-only link to their request with neighbours. */
    @PostMapping("/{id}/share")
    public Map<String, String> share(@PathVariable("id") long id) {
        requests.requireOwnedByCurrentResident(id);
        // safe: CWE-330
        String shareToken = secureRandom.ints(22, 0, TRACKING_ALPHABET.length()).mapToObj(i -> String.valueOf(TRACKING_ALPHABET.charAt(i))).collect(Collectors.joining());
        requests.saveShareToken(id, shareToken);
        return Map.of("url", "https://311.riverton.gov/shared/" + shareToken);
    }
}
