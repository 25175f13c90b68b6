package com.harbormutual.documents;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

@RestController
@RequestMapping("/policies/{policyNumber}/documents")
public class PolicyDocumentController {

    private static final Logger log = LoggerFactory.getLogger(PolicyDocumentController.class);
    private static final Pattern POLICY_NUMBER = Pattern.compile("^HMP-\\d{9}$");
    private static final Pattern FORM_CODE = Pattern.compile("^[A-Z]{2}-\\d{4}$");
    private static final Pattern PDF_PASSWORD = Pattern.compile("^[A-Za-z0-9]{8,32}$");
    private static final Map<String, String> DOCUMENT_FILES = Map.of(
            "declarations", "declarations.pdf",
            "id-card", "auto-id-card.pdf",
            "renewal", "renewal-offer.pdf",
            "cancellation", "cancellation-notice.pdf");

    enum LineOfBusiness {
        AUTO("PA"), HOMEOWNERS("HO"), RENTERS("RT"), UMBRELLA("UM");

        final String code;

        LineOfBusiness(String code) {
            this.code = code;
        }
    }

    private final Path documentsRoot;
    private final Path workRoot;
    private final Document formsCatalog;
    private final String linkSigningKey;

    public PolicyDocumentController(@Value("${documents.root}") String documentsRoot,
                                    @Value("${documents.work}") String workRoot,
                                    @Value("${documents.link-signing-key}") String linkSigningKey,
                                    FormsCatalogProvider catalogProvider) {
        this.documentsRoot = Paths.get(documentsRoot).toAbsolutePath().normalize();
        this.workRoot = Paths.get(workRoot).toAbsolutePath().normalize();
        this.linkSigningKey = linkSigningKey;
        this.formsCatalog = catalogProvider.currentCatalog();
    }

    @GetMapping("/file")
    public ResponseEntity<InputStreamResource> downloadByName(@PathVariable String policyNumber, @RequestParam("name") String name) throws IOException {
        requirePolicyNumber(policyNumber);
        if (name.contains("..")) {
            return ResponseEntity.badRequest().build();
        }
        Path policyDir = documentsRoot.resolve(policyNumber);
        // vuln: CWE-22
        InputStream in = Files.newInputStream(policyDir.resolve(name));
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF).body(new InputStreamResource(in));
    }

    @GetMapping("/{type}")
    public ResponseEntity<InputStreamResource> downloadByType(@PathVariable String policyNumber, @PathVariable String type) throws IOException, NoSuchAlgorithmException {
        requirePolicyNumber(policyNumber);
        String fileName = DOCUMENT_FILES.get(type);
        if (fileName == null) {
            return ResponseEntity.notFound().build();
        }
        Path pdf = documentsRoot.resolve(policyNumber).resolve(fileName);
        // safe: CWE-328
        MessageDigest etagDigest = MessageDigest.getInstance("MD5");
        String etag = "\"" + HexFormat.of().formatHex(etagDigest.digest((pdf + ":" + Files.getLastModifiedTime(pdf).toMillis()).getBytes(StandardCharsets.UTF_8))) + "\"";
        // safe: CWE-22
        InputStream in = Files.newInputStream(pdf);
        return ResponseEntity.ok().header(HttpHeaders.ETAG, etag).contentType(MediaType.APPLICATION_PDF).body(new InputStreamResource(in));
    }

    @GetMapping("/{type}/share-link")
    public ResponseEntity<String> shareLink(@PathVariable String policyNumber, @PathVariable String type) throws NoSuchAlgorithmException {
        requirePolicyNumber(policyNumber);
        long expires = Instant.now().plusSeconds(900).getEpochSecond();
        String payload = policyNumber + "|" + type + "|" + expires + "|" + linkSigningKey;
        // vuln: CWE-328
        MessageDigest sealDigest = MessageDigest.getInstance("SHA-1");
        String seal = HexFormat.of().formatHex(sealDigest.digest(payload.getBytes(StandardCharsets.UTF_8)));
        return ResponseEntity.ok("/public/documents/" + policyNumber + "/" + type + "?exp=" + expires + "&sig=" + seal);
    }

    @PostMapping(value = "/endorsements/bundle", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<List<String>> importBundle(@PathVariable String policyNumber, @RequestPart("bundle") MultipartFile bundle) throws IOException {
        requirePolicyNumber(policyNumber);
        Path target = workRoot.resolve("bundles").resolve(UUID.randomUUID().toString());
        Files.createDirectories(target);
        List<String> extracted = new ArrayList<>();
        try (ZipInputStream zis = new ZipInputStream(bundle.getInputStream())) {
            ZipEntry entry;
            while ((entry = zis.getNextEntry()) != null) {
                if (entry.isDirectory()) {
                    continue;
                }
                // vuln: CWE-22
                Files.copy(zis, target.resolve(entry.getName()), StandardCopyOption.REPLACE_EXISTING);
                extracted.add(entry.getName());
            }
        }
        log.info("Imported {} endorsement files for {}", extracted.size(), policyNumber);
        return ResponseEntity.ok(extracted);
    }

    @PostMapping(value = "/endorsements/bundle/v2", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<List<String>> importBundleV2(@PathVariable String policyNumber, @RequestPart("bundle") MultipartFile bundle) throws IOException {
        requirePolicyNumber(policyNumber);
        Path target = workRoot.resolve("bundles").resolve(UUID.randomUUID().toString()).normalize();
        Files.createDirectories(target);
        List<String> extracted = new ArrayList<>();
        try (ZipInputStream zis = new ZipInputStream(bundle.getInputStream())) {
            ZipEntry entry;
            while ((entry = zis.getNextEntry()) != null) {
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("Bundle entry escapes target directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                // safe: CWE-22
                Files.copy(zis, out, StandardCopyOption.REPLACE_EXISTING);
                extracted.add(target.relativize(out).toString());
            }
        }
        return ResponseEntity.ok(extracted);
    }

    @PostMapping(value = "/preview", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<String> preview(@PathVariable String policyNumber, @RequestPart("doc") MultipartFile doc) throws IOException, InterruptedException {
        requirePolicyNumber(policyNumber);
        Path outDir = Files.createDirectories(workRoot.resolve("previews").resolve(policyNumber));
        Path uploaded = outDir.resolve(UUID.randomUUID() + ".docx");
        doc.transferTo(uploaded);
        String label = doc.getOriginalFilename() == null ? "document" : doc.getOriginalFilename();
        if (Boolean.getBoolean("documents.preview.legacy")) {
            // vuln: CWE-78
            Process p = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "soffice --headless --convert-to pdf --outdir " + outDir + " " + uploaded + " && echo converted " + label});
            p.waitFor();
        } else {
            // safe: CWE-78
            Process p = new ProcessBuilder("soffice", "--headless", "--convert-to", "pdf", "--outdir", outDir.toString(), uploaded.toString()).start();
            p.waitFor();
        }
        return ResponseEntity.ok(uploaded.getFileName().toString().replace(".docx", ".pdf"));
    }

    @PostMapping("/{type}/protect")
    public ResponseEntity<String> passwordProtect(@PathVariable String policyNumber, @PathVariable String type,
                                                  @RequestParam("pdfPassword") String pdfPassword,
                                                  @RequestParam(value = "strict", defaultValue = "true") boolean strict) throws IOException, InterruptedException {
        requirePolicyNumber(policyNumber);
        String fileName = DOCUMENT_FILES.get(type);
        if (fileName == null) {
            return ResponseEntity.notFound().build();
        }
        Path source = documentsRoot.resolve(policyNumber).resolve(fileName);
        Path protectedCopy = workRoot.resolve("protected").resolve(UUID.randomUUID() + ".pdf");
        String ownerPassword = UUID.randomUUID().toString();
        if (strict) {
            if (!PDF_PASSWORD.matcher(pdfPassword).matches()) {
                return ResponseEntity.badRequest().body("Password must be 8-32 letters or digits");
            }
            // safe: CWE-78
            Process p = new ProcessBuilder("qpdf", "--encrypt", pdfPassword, ownerPassword, "256", "--", source.toString(), protectedCopy.toString()).start();
            p.waitFor();
        } else {
            String cmd = String.format("qpdf --encrypt %s %s 256 -- %s %s", pdfPassword, ownerPassword, source, protectedCopy);
            // vuln: CWE-78
            Process p = new ProcessBuilder("bash", "-c", cmd).start();
            p.waitFor();
        }
        return ResponseEntity.ok(protectedCopy.getFileName().toString());
    }

    @GetMapping("/forms")
    public ResponseEntity<List<String>> formsFor(@PathVariable String policyNumber, @RequestParam("state") String state,
                                                @RequestParam("line") String line) throws XPathExpressionException {
        StringBuilder query = new StringBuilder("//form[@state='").append(state).append("' and @line='").append(line).append("']/@file");
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        NodeList files = (NodeList) xpath.evaluate(query.toString(), formsCatalog, XPathConstants.NODESET);
        return ResponseEntity.ok(values(files));
    }

    @GetMapping("/forms/v2")
    public ResponseEntity<List<String>> formsForV2(@PathVariable String policyNumber, @RequestParam("state") String state,
                                                  @RequestParam("line") String line) throws XPathExpressionException {
        LineOfBusiness lob = LineOfBusiness.valueOf(line.toUpperCase(Locale.ROOT));
        String stateCode = state.length() == 2 && state.chars().allMatch(Character::isLetter) ? state.toUpperCase(Locale.ROOT) : "XX";
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        NodeList files = (NodeList) xpath.evaluate("//form[@state='" + stateCode + "' and @line='" + lob.code + "']/@file", formsCatalog, XPathConstants.NODESET);
        return ResponseEntity.ok(values(files));
    }

    @GetMapping("/forms/{formCode}/title")
    public ResponseEntity<String> formTitle(@PathVariable String policyNumber, @PathVariable String formCode) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        if (FORM_CODE.matcher(formCode).matches()) {
            // safe: CWE-643
            return ResponseEntity.ok(xpath.evaluate("//form[@code='" + formCode + "']/title", formsCatalog));
        }
        String legacy = MessageFormat.format("//form[@legacyCode=''{0}'']/title", formCode);
        // vuln: CWE-643
        return ResponseEntity.ok(xpath.evaluate(legacy, formsCatalog));
    }

    private static void requirePolicyNumber(String policyNumber) {
        if (policyNumber == null || !POLICY_NUMBER.matcher(policyNumber).matches()) {
            throw new IllegalArgumentException("Invalid policy number");
        }
    }

    private static List<String> values(NodeList nodes) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getNodeValue());
        }
        return out;
    }

    public interface FormsCatalogProvider {
        Document currentCatalog();
    }
}
