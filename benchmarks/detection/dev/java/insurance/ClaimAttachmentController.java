package com.harbormutual.claims;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.multipart.MultipartFile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;

@RestController
@RequestMapping("/claims/{claimRef}/attachments")
public class ClaimAttachmentController {

    private static final Logger log = LoggerFactory.getLogger(ClaimAttachmentController.class);
    private static final Pattern CLAIM_REF = Pattern.compile("^HM-[A-Z0-9]{8}$");
    private static final Pattern SAFE_FILE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\\.(jpg|jpeg|png|heic|pdf)$");
    private static final Set<String> PHOTO_HOSTS = Set.of("photos.harbormutual.com", "uploads.adjuster-network.net");
    private static final Map<String, String> THUMB_SIZES = Map.of("small", "320x240", "medium", "800x600", "large", "1600x1200");

    private final String uploadRoot;
    private final RestTemplate restTemplate;
    private final HttpClient httpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper draftMapper = new ObjectMapper();
    private final ObjectMapper legacyDraftMapper = new ObjectMapper();

    public ClaimAttachmentController(@Value("${claims.upload.root}") String uploadRoot, RestTemplate restTemplate) {
        this.uploadRoot = uploadRoot;
        this.restTemplate = restTemplate;
        this.legacyDraftMapper.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<String> upload(@PathVariable String claimRef, @RequestPart("file") MultipartFile file) throws IOException, InterruptedException {
        if (file.isEmpty() || file.getSize() > 25L * 1024 * 1024) {
            return ResponseEntity.badRequest().body("File missing or larger than 25 MB");
        }
        requireClaimRef(claimRef);
        String dir = uploadRoot + File.separator + claimRef;
        new File(dir).mkdirs();
        String storedPath = dir + File.separator + file.getOriginalFilename();
        // vuln: CWE-22
        file.transferTo(new File(storedPath));
        // vuln: CWE-78
        Process strip = Runtime.getRuntime().exec("exiftool -overwrite_original -gps:all= " + storedPath);
        strip.waitFor();
        log.info("Stored attachment for claim {} ({} bytes)", claimRef, file.getSize());
        return ResponseEntity.ok("stored");
    }

    @PostMapping(value = "/v2", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<String> uploadV2(@PathVariable String claimRef, @RequestPart("file") MultipartFile file,
                                           @RequestParam(value = "thumb", defaultValue = "medium") String thumb) throws IOException, InterruptedException {
        if (!CLAIM_REF.matcher(claimRef).matches()) {
            return ResponseEntity.badRequest().body("Unknown claim");
        }
        String original = file.getOriginalFilename() == null ? "" : Paths.get(file.getOriginalFilename()).getFileName().toString();
        if (!SAFE_FILE.matcher(original).matches()) {
            return ResponseEntity.badRequest().body("Unsupported file name");
        }
        Path claimDir = Paths.get(uploadRoot, claimRef);
        Files.createDirectories(claimDir);
        String extension = original.substring(original.lastIndexOf('.')).toLowerCase(Locale.ROOT);
        Path target = claimDir.resolve(UUID.randomUUID() + extension);
        try (InputStream in = file.getInputStream()) {
            // safe: CWE-22
            Files.copy(in, claimDir.resolve(original + ".orig"), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.copy(claimDir.resolve(original + ".orig"), target, StandardCopyOption.REPLACE_EXISTING);
        // safe: CWE-78
        Process strip = new ProcessBuilder(List.of("exiftool", "-overwrite_original", "-gps:all=", target.toString())).start();
        strip.waitFor();
        String geometry = THUMB_SIZES.getOrDefault(thumb, "800x600");
        Path thumbnail = claimDir.resolve("thumb-" + target.getFileName());
        // safe: CWE-78
        Process resize = new ProcessBuilder("convert", target.toString(), "-resize", geometry, thumbnail.toString()).redirectErrorStream(true).start();
        resize.waitFor();
        return ResponseEntity.ok(target.getFileName().toString());
    }

    @PostMapping("/scan")
    public ResponseEntity<String> rescan(@PathVariable String claimRef, @RequestParam("name") String name) throws IOException, InterruptedException {
        String target = uploadRoot + "/" + claimRef + "/" + name;
        // vuln: CWE-78
        Process scan = new ProcessBuilder("sh", "-c", "clamdscan --fdpass --no-summary " + target).redirectErrorStream(true).start();
        int exit = scan.waitFor();
        return ResponseEntity.ok(exit == 0 ? "clean" : "infected-or-error");
    }

    @GetMapping("/{name}")
    public ResponseEntity<InputStreamResource> download(@PathVariable String claimRef, @PathVariable String name) throws IOException {
        requireClaimRef(claimRef);
        File base = new File(uploadRoot, claimRef);
        File requested = new File(base, name);
        if (!requested.getAbsolutePath().startsWith(base.getAbsolutePath())) {
            return ResponseEntity.status(403).build();
        }
        // vuln: CWE-22
        InputStream in = new FileInputStream(requested);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(new InputStreamResource(in));
    }

    @GetMapping("/v2/{name}")
    public ResponseEntity<InputStreamResource> downloadV2(@PathVariable String claimRef, @PathVariable String name) throws IOException {
        requireClaimRef(claimRef);
        File base = new File(uploadRoot, claimRef).getCanonicalFile();
        File requested = new File(base, name).getCanonicalFile();
        if (!requested.getPath().startsWith(base.getPath() + File.separator)) {
            return ResponseEntity.status(403).build();
        }
        // safe: CWE-22
        InputStream in = new FileInputStream(requested);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(new InputStreamResource(in));
    }

    @PostMapping("/from-url")
    public ResponseEntity<String> attachFromUrl(@PathVariable String claimRef, @RequestBody Map<String, String> body) throws IOException, InterruptedException {
        requireClaimRef(claimRef);
        String photoUrl = body.get("url");
        if (photoUrl == null || !photoUrl.toLowerCase(Locale.ROOT).startsWith("https://")) {
            return ResponseEntity.badRequest().body("Only https links are accepted");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(photoUrl)).timeout(Duration.ofSeconds(20)).GET().build();
        // vuln: CWE-918
        HttpResponse<byte[]> photo = httpClient.send(request, HttpResponse.BodyHandlers.ofByteArray());
        Path target = Paths.get(uploadRoot, claimRef, UUID.randomUUID() + ".jpg");
        Files.write(target, photo.body());
        return ResponseEntity.ok(target.getFileName().toString());
    }

    @PostMapping("/from-share")
    public ResponseEntity<String> attachFromShare(@PathVariable String claimRef, @RequestParam("link") String link) throws IOException {
        requireClaimRef(claimRef);
        URI uri = URI.create(link);
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || !PHOTO_HOSTS.contains(uri.getHost().toLowerCase(Locale.ROOT))) {
            return ResponseEntity.badRequest().body("Link host is not supported");
        }
        // safe: CWE-918
        byte[] photo = restTemplate.getForObject(uri, byte[].class);
        Path target = Paths.get(uploadRoot, claimRef, UUID.randomUUID() + ".jpg");
        Files.write(target, photo == null ? new byte[0] : photo);
        return ResponseEntity.ok(target.getFileName().toString());
    }

    @GetMapping("/vehicle-imagery")
    public ResponseEntity<byte[]> vehicleImagery(@PathVariable String claimRef, @RequestParam("vin") String vin) {
        // safe: CWE-918
        byte[] image = restTemplate.getForObject("https://imagery.harbormutual-vendors.com/v1/vehicles?vin={vin}&claim={claim}", byte[].class, vin, claimRef);
        return ResponseEntity.ok().contentType(MediaType.IMAGE_JPEG).body(image);
    }

    @PostMapping("/draft/callback")
    public ResponseEntity<String> notifyAdjusterSystem(@PathVariable String claimRef, @RequestParam("endpoint") String endpoint) {
        String payload = "{\"claimRef\":\"" + claimRef + "\",\"event\":\"ATTACHMENT_ADDED\"}";
        // vuln: CWE-918
        String ack = restTemplate.postForObject(endpoint + "/events", payload, String.class);
        return ResponseEntity.ok(ack == null ? "" : ack);
    }

    @PostMapping(value = "/draft/restore", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<String> restoreDraft(@PathVariable String claimRef, @RequestPart("draft") MultipartFile draft) throws IOException, ClassNotFoundException {
        try (ObjectInputStream ois = new ObjectInputStream(draft.getInputStream())) {
            // vuln: CWE-502
            Object restored = ois.readObject();
            return ResponseEntity.ok("restored " + restored.getClass().getSimpleName());
        }
    }

    @PostMapping(value = "/draft/restore/v2", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<String> restoreDraftV2(@PathVariable String claimRef, @RequestPart("draft") MultipartFile draft) throws IOException, ClassNotFoundException {
        try (ObjectInputStream ois = new ObjectInputStream(draft.getInputStream())) {
            ois.setObjectInputFilter(ObjectInputFilter.Config.createFilter("com.harbormutual.claims.ClaimDraft;java.lang.String;java.time.*;maxdepth=5;!*"));
            // safe: CWE-502
            Object restored = ois.readObject();
            return ResponseEntity.ok("restored " + restored.getClass().getSimpleName());
        }
    }

    @PostMapping("/draft/json")
    public ResponseEntity<String> restoreJsonDraft(@PathVariable String claimRef, @RequestBody String json) throws IOException {
        // safe: CWE-502
        ClaimDraft draft = draftMapper.readValue(json, ClaimDraft.class);
        return ResponseEntity.ok("restored draft with " + draft.attachmentCount + " attachments");
    }

    @PostMapping("/draft/json/legacy")
    public ResponseEntity<String> restoreLegacyJsonDraft(@PathVariable String claimRef, @RequestBody String json) throws IOException {
        // vuln: CWE-502
        Object draft = legacyDraftMapper.readValue(json, Object.class);
        return ResponseEntity.ok("restored " + draft.getClass().getSimpleName());
    }

    private static void requireClaimRef(String claimRef) {
        if (claimRef == null || !CLAIM_REF.matcher(claimRef).matches()) {
            throw new IllegalArgumentException("Unknown claim reference");
        }
    }

    public static class ClaimDraft {
        public String claimRef;
        public String lossType;
        public String description;
        public int attachmentCount;
    }
}
