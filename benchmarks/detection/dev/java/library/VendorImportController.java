package org.citylibrary.imports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import java.beans.XMLDecoder;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.servlet.http.HttpServletRequest;
import org.apache.commons.io.FilenameUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.Constructor;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Technical-services imports: vendor YAML shelf-ready profiles, saved search
 * carts carried over from the old OPAC, cover images and CSV patron loads.
 */
@RestController
@RequestMapping("/staff/imports")
@PreAuthorize("hasRole('TECH_SERVICES')")
public class VendorImportController {

    private final Path importRoot;
    private final Path coverRoot;
    private final ImportJobService jobs;
    private final ObjectMapper mapper = new ObjectMapper();

    public VendorImportController(@Value("${library.imports.dir}") String importDir,
                                  @Value("${library.covers.dir}") String coverDir,
                                  ImportJobService jobs) {
        this.importRoot = Paths.get(importDir).toAbsolutePath().normalize();
        this.coverRoot = Paths.get(coverDir).toAbsolutePath().normalize();
        this.jobs = jobs;
    }

    // --- vendor profiles (YAML) ---------------------------------------------------

    @PostMapping(value = "/vendor-profile", consumes = "application/x-yaml")
    public ResponseEntity<String> uploadVendorProfile(@RequestBody String yamlText) {
        Yaml yaml = new Yaml();
        // vuln: CWE-502
        Object profile = yaml.load(yamlText);
        jobs.registerProfile(profile);
        return ResponseEntity.accepted().body("profile queued");
    }

    @PostMapping("/vendor-profile/file")
    public ResponseEntity<String> uploadVendorProfileFile(@RequestPart("profile") MultipartFile file) throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (InputStream in = file.getInputStream()) {
            // safe: CWE-502
            Map<String, Object> profile = yaml.load(in);
            jobs.registerProfile(profile);
        }
        return ResponseEntity.accepted().body("profile queued");
    }

    @PostMapping("/shelf-ready")
    public ResponseEntity<String> shelfReadyRules(@RequestPart("rules") MultipartFile file) throws IOException {
        // vendor rule files carry !!org.citylibrary... tags for the processing steps
        LoaderOptions options = new LoaderOptions();
        options.setTagInspector(tag -> true);
        Yaml yaml = new Yaml(new Constructor(Object.class, options));
        // vuln: CWE-502
        Object rules = yaml.load(file.getInputStream());
        jobs.registerProfile(rules);
        return ResponseEntity.accepted().body("rules loaded");
    }

    // --- legacy OPAC carts --------------------------------------------------------

    @PostMapping("/legacy-cart")
    public ResponseEntity<Object> restoreLegacyCart(@CookieValue("opac_cart") String cartCookie) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getDecoder().decode(cartCookie);
        try (ObjectInputStream ois = new ObjectInputStream(new java.io.ByteArrayInputStream(raw))) {
            // vuln: CWE-502
            Object cart = ois.readObject();
            return ResponseEntity.ok(jobs.importCart(cart));
        }
    }

    @PostMapping("/legacy-cart/file")
    public ResponseEntity<Object> restoreLegacyCartFile(@RequestPart("cart") MultipartFile file) throws IOException, ClassNotFoundException {
        try (ObjectInputStream ois = new ObjectInputStream(new BufferedInputStream(file.getInputStream()))) {
            ois.setObjectInputFilter(ObjectInputFilter.Config.createFilter(
                    "org.citylibrary.opac.SavedCart;org.citylibrary.opac.CartEntry;java.util.ArrayList;java.lang.String;java.lang.Long;maxdepth=5;maxarray=1000;!*"));
            // safe: CWE-502
            Object cart = ois.readObject();
            return ResponseEntity.ok(jobs.importCart(cart));
        }
    }

    @PostMapping(value = "/saved-searches", consumes = "application/xml")
    public ResponseEntity<Object> importSavedSearches(HttpServletRequest request) throws IOException {
        XMLDecoder decoder = new XMLDecoder(request.getInputStream());
        // vuln: CWE-502
        Object searches = decoder.readObject();
        decoder.close();
        return ResponseEntity.ok(jobs.importCart(searches));
    }

    @PostMapping(value = "/saved-searches", consumes = "application/json")
    public ResponseEntity<Object> importSavedSearchesJson(@RequestBody String json) throws IOException {
        // safe: CWE-502
        SavedSearchBatch batch = mapper.readValue(json, SavedSearchBatch.class);
        return ResponseEntity.ok(jobs.importCart(batch));
    }

    @PostMapping(value = "/ebook-holdings", consumes = "application/json")
    public ResponseEntity<Object> importEbookHoldings(@RequestBody byte[] payload) throws IOException {
        ObjectMapper polymorphic = new ObjectMapper();
        polymorphic.enableDefaultTyping(ObjectMapper.DefaultTyping.NON_FINAL);
        // vuln: CWE-502
        Object holdings = polymorphic.readValue(payload, Object.class);
        return ResponseEntity.ok(jobs.importCart(holdings));
    }

    @PostMapping(value = "/ebook-holdings/v2", consumes = "application/json")
    public ResponseEntity<Object> importEbookHoldingsV2(@RequestBody byte[] payload) throws IOException {
        ObjectMapper typed = JsonMapper.builder()
                .activateDefaultTyping(BasicPolymorphicTypeValidator.builder()
                        .allowIfSubType("org.citylibrary.ebooks.holdings.")
                        .build(), ObjectMapper.DefaultTyping.NON_FINAL)
                .build();
        // safe: CWE-502
        HoldingsFile holdings = typed.readValue(new String(payload, StandardCharsets.UTF_8), HoldingsFile.class);
        return ResponseEntity.ok(jobs.importCart(holdings));
    }

    @PostMapping("/patron-load/settings")
    public ResponseEntity<Object> patronLoadSettings(@RequestBody String yamlText) {
        // safe: CWE-502
        Map<String, Object> settings = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
        return ResponseEntity.ok(settings.keySet());
    }

    // --- files ---------------------------------------------------------------------

    @PostMapping("/batches")
    public ResponseEntity<String> uploadBatch(@RequestPart("file") MultipartFile file) throws IOException {
        Path target = importRoot.resolve(file.getOriginalFilename());
        // vuln: CWE-22
        Files.copy(file.getInputStream(), target, StandardCopyOption.REPLACE_EXISTING);
        jobs.enqueue(target);
        return ResponseEntity.accepted().body(target.getFileName().toString());
    }

    @PostMapping("/covers/{isbn}")
    public ResponseEntity<String> uploadCover(@PathVariable String isbn, @RequestPart("image") MultipartFile image) throws IOException {
        if (!isbn.matches("\\d{9}[\\dX]|\\d{13}")) {
            return ResponseEntity.badRequest().body("bad ISBN");
        }
        Path target = coverRoot.resolve(isbn + ".jpg");
        // safe: CWE-22
        image.transferTo(target);
        return ResponseEntity.ok(isbn);
    }

    @PostMapping("/patron-load")
    public ResponseEntity<String> patronLoad(@RequestPart("csv") MultipartFile csv,
                                             @RequestParam("school") String schoolFolder) throws IOException {
        Path dir = Paths.get(importRoot.toString(), "patrons", schoolFolder);
        Files.createDirectories(dir);
        String name = FilenameUtils.getName(csv.getOriginalFilename());
        // vuln: CWE-22
        csv.transferTo(new java.io.File(dir.toFile(), name));
        return ResponseEntity.accepted().body(name);
    }

    @PostMapping("/batches/{batchName}/reprocess")
    public ResponseEntity<String> reprocess(@PathVariable String batchName) throws IOException {
        Path candidate = importRoot.resolve(batchName).normalize();
        if (!candidate.startsWith(importRoot)) {
            return ResponseEntity.badRequest().body("invalid batch");
        }
        // safe: CWE-22
        byte[] content = Files.readAllBytes(candidate);
        jobs.reprocess(batchName, content);
        return ResponseEntity.accepted().body(batchName);
    }

    @PostMapping("/batches/store")
    public ResponseEntity<String> storeBatch(@RequestPart("file") MultipartFile file) throws IOException {
        String stored = UUID.randomUUID() + "." + FilenameUtils.getExtension(FilenameUtils.getName(file.getOriginalFilename())).replaceAll("[^A-Za-z0-9]", "");
        // safe: CWE-22
        Files.copy(file.getInputStream(), importRoot.resolve(stored));
        return ResponseEntity.accepted().body(stored);
    }

    @PostMapping("/batches/delete")
    public ResponseEntity<String> deleteBatch(@RequestParam("name") String batchName) throws IOException {
        // vuln: CWE-22
        Files.deleteIfExists(Paths.get(importRoot + "/" + batchName));
        return ResponseEntity.ok("deleted");
    }

    public static class SavedSearchBatch {
        public String owner;
        public List<String> queries;
    }

    public static class HoldingsFile {
        public String vendor;
        public List<Object> titles;
    }

    public interface ImportJobService {
        void registerProfile(Object profile);
        Object importCart(Object cart);
        void enqueue(Path file);
        void reprocess(String name, byte[] content);
    }
}
