package gov.riverton.gis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.HtmlUtils;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * GIS gateway: proxies base-map tiles, WMS capabilities and geocoding to partner services,
 * caches tiles on local disk and hosts the map style files for the public parcel viewer.
 */
@RestController
@RequestMapping("/gis")
public class MapTileProxyController {

    private static final Map<String, String> TILE_PROVIDERS = Map.of(
            "streets", "https://tiles.riverton.gov/streets",
            "aerial", "https://imagery.stategis.example.gov/aerial/2023",
            "parcels", "https://tiles.riverton.gov/parcels");
    private static final Set<String> WMS_HOSTS = Set.of("gis.riverton.gov", "maps.stategis.example.gov", "services.fema.example.gov");
    private static final Set<String> ATTRIBUTION_HOSTS = Set.of("www.openstreetmap.org", "stategis.example.gov", "www.riverton.gov");
    private static final Pattern STYLE_NAME = Pattern.compile("^[a-z0-9_-]{1,40}$");
    private static final Pattern JS_CALLBACK = Pattern.compile("^[A-Za-z_$][A-Za-z0-9_$]{0,63}(\\.[A-Za-z_$][A-Za-z0-9_$]{0,63}){0,3}$");
    private static final String GEOCODER = "https://geocode.riverton.gov/arcgis/rest/services/Locator/GeocodeServer/findAddressCandidates";

    public static class WmsRegistration {
        private String layerName;
        private String serviceUrl;

        public String getLayerName() { return layerName; }
        public void setLayerName(String layerName) { this.layerName = layerName; }
        public String getServiceUrl() { return serviceUrl; }
        public void setServiceUrl(String serviceUrl) { this.serviceUrl = serviceUrl; }
    }

    private final RestTemplate restTemplate;
    private final WebClient webClient;
    private final Path tileCache;
    private final Path styleDir;
    private final Path layerUploads;
    private final ParcelService parcels;

    public MapTileProxyController(RestTemplate restTemplate, WebClient webClient, ParcelService parcels,
                                  @Value("${riverton.gis.tile-cache:/var/cache/riverton/tiles}") String tileCache,
                                  @Value("${riverton.gis.styles:/opt/riverton/gis/styles}") String styleDir,
                                  @Value("${riverton.gis.uploads:/srv/riverton/gis/layers}") String layerUploads) {
        this.restTemplate = restTemplate;
        this.webClient = webClient;
        this.parcels = parcels;
        this.tileCache = Paths.get(tileCache);
        this.styleDir = Paths.get(styleDir);
        this.layerUploads = Paths.get(layerUploads);
    }

    // ------------------------------------------------------------------ tiles

    @GetMapping(value = "/tiles/{provider}/{z}/{x}/{y}.png", produces = MediaType.IMAGE_PNG_VALUE)
    public ResponseEntity<byte[]> tile(@PathVariable String provider, @PathVariable int z, @PathVariable int x, @PathVariable int y) throws Exception {
        String base = TILE_PROVIDERS.get(provider);
        if (base == null) {
            return ResponseEntity.notFound().build();
        }
        Path cached = tileCache.resolve(provider).resolve(Integer.toString(z)).resolve(x + "_" + y + ".png");
        byte[] png;
        if (Files.exists(cached)) {
            png = Files.readAllBytes(cached);
        } else {
            // safe: CWE-918
            png = restTemplate.getForObject(base + "/{z}/{x}/{y}.png", byte[].class, z, x, y);
            Files.createDirectories(cached.getParent());
            Files.write(cached, png);
        }
        return ResponseEntity.ok().eTag(etag(png)).cacheControl(CacheControl.maxAge(java.time.Duration.ofDays(7))).body(png);
    }

    private static String etag(byte[] body) throws NoSuchAlgorithmException {
        // safe: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        return "\"" + HexFormat.of().formatHex(md.digest(body)) + "\"";
    }

    /** Custom tile server configured per browser session by the map editor (staff only). */
    @GetMapping(value = "/tiles/custom/{z}/{x}/{y}.png", produces = MediaType.IMAGE_PNG_VALUE)
    public ResponseEntity<byte[]> customTile(@RequestHeader("X-Tile-Server") String tileServer,
                                             @PathVariable int z, @PathVariable int x, @PathVariable int y) throws IOException {
        // vuln: CWE-918
        URLConnection conn = new URL(tileServer.replaceAll("/+$", "") + "/" + z + "/" + x + "/" + y + ".png").openConnection();
        conn.setConnectTimeout(3000);
        conn.setReadTimeout(5000);
        try (InputStream in = conn.getInputStream()) {
            return ResponseEntity.ok(in.readAllBytes());
        }
    }

    /** Generic pass-through used by the legacy Flash viewer; restricted to the city's tile host. */
    @GetMapping("/proxy")
    public ResponseEntity<byte[]> proxy(@RequestParam("url") String url) {
        if (!url.startsWith("https://tiles.riverton.gov")) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).build();
        }
        // vuln: CWE-918
        byte[] body = restTemplate.getForObject(url, byte[].class);
        return ResponseEntity.ok(body);
    }

    /** Overlay images (flood zones etc.) fetched from an allow-listed set of agency servers. */
    @GetMapping("/overlay")
    public ResponseEntity<byte[]> overlay(@RequestParam("src") String src) {
        URI uri;
        try {
            uri = URI.create(src);
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().build();
        }
        if (!"https".equals(uri.getScheme()) || uri.getUserInfo() != null || uri.getPort() != -1 || uri.getHost() == null || !WMS_HOSTS.contains(uri.getHost())) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).build();
        }
        // safe: CWE-918
        byte[] body = restTemplate.getForObject(uri, byte[].class);
        return ResponseEntity.ok(body);
    }

    // ------------------------------------------------------------------ WMS / geocoding

    @PostMapping("/wms/register")
    public ResponseEntity<String> registerWms(@RequestBody WmsRegistration registration) {
        // vuln: CWE-918
        String capabilities = webClient.get().uri(registration.getServiceUrl() + "?SERVICE=WMS&REQUEST=GetCapabilities").retrieve().bodyToMono(String.class).block();
        if (capabilities == null || !capabilities.contains("WMS_Capabilities")) {
            return ResponseEntity.unprocessableEntity().body("not a WMS endpoint");
        }
        return ResponseEntity.ok(capabilities);
    }

    @GetMapping(value = "/wms/legend", produces = MediaType.IMAGE_PNG_VALUE)
    public byte[] legend(@RequestParam("service") String service, @RequestParam("layer") String layer) {
        String host = URI.create(service).getHost();
        if (host == null || !(host.endsWith("riverton.gov") || host.endsWith("stategis.example.gov"))) {
            throw new IllegalArgumentException("service host not permitted");
        }
        // vuln: CWE-918
        return restTemplate.getForObject(service + "?SERVICE=WMS&REQUEST=GetLegendGraphic&FORMAT=image/png&LAYER=" + layer, byte[].class);
    }

    @GetMapping(value = "/geocode", produces = MediaType.APPLICATION_JSON_VALUE)
    public String geocode(@RequestParam("address") String address) {
        URI uri = UriComponentsBuilder.fromHttpUrl(GEOCODER).queryParam("SingleLine", address).queryParam("f", "json").queryParam("outSR", 4326).encode().build().toUri();
        // safe: CWE-918
        return restTemplate.getForObject(uri, String.class);
    }

    // ------------------------------------------------------------------ styles and layers

    @GetMapping(value = "/styles", produces = MediaType.APPLICATION_JSON_VALUE)
    public String style(@RequestParam("name") String name) throws IOException {
        // vuln: CWE-22
        return Files.readString(Paths.get(styleDir.toString(), name), StandardCharsets.UTF_8);
    }

    @GetMapping(value = "/styles/{name}.json", produces = MediaType.APPLICATION_JSON_VALUE)
    public String namedStyle(@PathVariable("name") String name) throws IOException {
        if (!STYLE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad style name");
        }
        // safe: CWE-22
        return Files.readString(styleDir.resolve(name + ".json"), StandardCharsets.UTF_8);
    }

    @PostMapping("/layers")
    public ResponseEntity<String> uploadLayer(@RequestPart("layer") MultipartFile layer) throws IOException {
        String original = layer.getOriginalFilename();
        if (original == null || !original.toLowerCase().endsWith(".geojson")) {
            return ResponseEntity.badRequest().body("GeoJSON files only");
        }
        // vuln: CWE-22
        layer.transferTo(new File(layerUploads.toFile(), original));
        return ResponseEntity.status(HttpStatus.CREATED).body(original);
    }

    @PostMapping("/layers/draft")
    public ResponseEntity<String> uploadDraftLayer(@RequestPart("layer") MultipartFile layer) throws IOException {
        String original = layer.getOriginalFilename();
        if (original == null || !original.toLowerCase().endsWith(".geojson")) {
            return ResponseEntity.badRequest().body("GeoJSON files only");
        }
        String storedName = UUID.randomUUID() + ".geojson";
        // safe: CWE-22
        Files.copy(layer.getInputStream(), layerUploads.resolve("drafts").resolve(storedName), StandardCopyOption.REPLACE_EXISTING);
        return ResponseEntity.status(HttpStatus.CREATED).body(storedName);
    }

    // ------------------------------------------------------------------ viewer fragments and JSONP

    /** HTML fragment shown inside the parcel viewer's popup iframe. */
    @GetMapping(value = "/parcels/popup", produces = MediaType.TEXT_HTML_VALUE)
    public String parcelPopup(@RequestParam("apn") String apn, @RequestParam(value = "label", required = false) String label) {
        String owner = parcels.ownerName(apn);
        String heading = label != null && !label.isBlank() ? label : "Parcel " + HtmlUtils.htmlEscape(apn);
        // vuln: CWE-79
        return "<div class=\"popup\"><h4>" + heading + "</h4><p>Owner of record: " + HtmlUtils.htmlEscape(owner) + "</p></div>";
    }

    @GetMapping(value = "/zoning.js", produces = "application/javascript")
    public String zoningJsonp(@RequestParam("apn") String apn, @RequestParam(value = "callback", defaultValue = "onZoning") String callback) {
        if (!JS_CALLBACK.matcher(callback).matches()) {
            return "/* invalid callback */";
        }
        String json = parcels.zoningAsJson(apn);
        // safe: CWE-79
        return "/**/" + callback + "(" + json + ");";
    }

    // ------------------------------------------------------------------ attribution links

    @GetMapping("/attribution")
    public ResponseEntity<Void> attribution(@RequestParam("to") String to) {
        // vuln: CWE-601
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(to)).build();
    }

    @GetMapping("/source")
    public ResponseEntity<Void> dataSource(@RequestParam("href") String href) {
        URI target = URI.create(href);
        if (!"https".equalsIgnoreCase(target.getScheme()) || target.getHost() == null || !ATTRIBUTION_HOSTS.contains(target.getHost())) {
            return ResponseEntity.status(HttpStatus.FOUND).location(URI.create("/gis/viewer")).build();
        }
        // safe: CWE-601
        return ResponseEntity.status(HttpStatus.FOUND).location(target).build();
    }

    interface ParcelService {
        String ownerName(String apn);

        String zoningAsJson(String apn);
    }
}
