package com.rentwise.documents;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * Tenant document uploads (ID scans, payslips, references) and property photos,
 * including thumbnail generation and text extraction for the screening team.
 */
@RestController
@RequestMapping("/api/documents")
public class DocumentUploadController {

    private static final Pattern SAFE_FILE_NAME = Pattern.compile("^[A-Za-z0-9_-]{1,64}\\.(pdf|jpg|jpeg|png)$");

    private final Path uploadRoot;
    private final Path photoRoot;
    private final String leaseArchiveDir;
    private final DocumentRepository documents;

    public DocumentUploadController(@Value("${rentwise.storage.uploads}") String uploadRoot,
                                    @Value("${rentwise.storage.photos}") String photoRoot,
                                    @Value("${rentwise.storage.leases}") String leaseArchiveDir,
                                    DocumentRepository documents) {
        this.uploadRoot = Paths.get(uploadRoot).toAbsolutePath().normalize();
        this.photoRoot = Paths.get(photoRoot).toAbsolutePath().normalize();
        this.leaseArchiveDir = leaseArchiveDir;
        this.documents = documents;
    }

    @PostMapping("/applicants/{applicantId}")
    public Map<String, String> uploadApplicantDocument(@PathVariable long applicantId,
                                                       @RequestParam("file") MultipartFile file) throws IOException {
        Path applicantDir = uploadRoot.resolve(Long.toString(applicantId));
        Files.createDirectories(applicantDir);
        // vuln: CWE-22
        file.transferTo(applicantDir.resolve(file.getOriginalFilename()));
        return Map.of("status", "stored", "name", file.getOriginalFilename());
    }

    @PostMapping("/applicants/{applicantId}/v2")
    public Map<String, String> uploadApplicantDocumentV2(@PathVariable long applicantId,
                                                         @RequestParam("file") MultipartFile file) throws IOException {
        Path applicantDir = uploadRoot.resolve(Long.toString(applicantId));
        Files.createDirectories(applicantDir);
        String storedName = UUID.randomUUID() + extensionOf(file.getContentType());
        // safe: CWE-22
        file.transferTo(applicantDir.resolve(storedName));
        documents.register(applicantId, storedName, file.getOriginalFilename());
        return Map.of("status", "stored", "id", storedName);
    }

    @GetMapping("/applicants/{applicantId}/file")
    public ResponseEntity<Resource> download(@PathVariable long applicantId,
                                             @RequestParam("name") String name) {
        // vuln: CWE-22
        Resource resource = new FileSystemResource(new File(uploadRoot.toFile(), applicantId + File.separator + name));
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment")
                .body(resource);
    }

    @GetMapping("/applicants/{applicantId}/file/v2")
    public ResponseEntity<Resource> downloadV2(@PathVariable long applicantId,
                                               @RequestParam("name") String name) {
        Path applicantDir = uploadRoot.resolve(Long.toString(applicantId));
        Path requested = applicantDir.resolve(name).normalize();
        if (!requested.startsWith(applicantDir)) {
            return ResponseEntity.badRequest().build();
        }
        // safe: CWE-22
        Resource resource = new FileSystemResource(requested.toFile());
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment")
                .body(resource);
    }

    @GetMapping("/leases/{leaseId}")
    public ResponseEntity<byte[]> leaseDocument(@PathVariable String leaseId,
                                                @RequestHeader("X-Doc-Name") String docName) throws IOException {
        // vuln: CWE-22
        byte[] pdf = Files.readAllBytes(Paths.get(leaseArchiveDir, leaseId, docName));
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, "application/pdf").body(pdf);
    }

    @GetMapping("/leases/{leaseId}/v2")
    public ResponseEntity<byte[]> leaseDocumentV2(@PathVariable long leaseId,
                                                  @RequestHeader("X-Doc-Name") String docName) throws IOException {
        if (!SAFE_FILE_NAME.matcher(docName).matches()) {
            return ResponseEntity.badRequest().build();
        }
        // safe: CWE-22
        byte[] pdf = Files.readAllBytes(Paths.get(leaseArchiveDir, Long.toString(leaseId), docName));
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, "application/pdf").body(pdf);
    }

    @DeleteMapping("/photos")
    public ResponseEntity<Void> deletePhoto(@RequestBody PhotoRef ref) throws IOException {
        String photoPath = photoRoot + "/" + ref.getListingId() + "/" + ref.getFileName();
        // vuln: CWE-22
        Files.deleteIfExists(Paths.get(photoPath));
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/photos/{photoId}")
    public ResponseEntity<Void> deletePhotoById(@PathVariable long photoId) throws IOException {
        String storedPath = documents.photoPath(photoId);
        if (storedPath == null) {
            return ResponseEntity.notFound().build();
        }
        // safe: CWE-22
        Files.deleteIfExists(photoRoot.resolve(storedPath));
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/photos/{listingId}/bulk")
    public Map<String, Integer> bulkPhotoUpload(@PathVariable long listingId,
                                                @RequestParam("archive") MultipartFile archive) throws IOException {
        File destDir = photoRoot.resolve(Long.toString(listingId)).toFile();
        destDir.mkdirs();
        int count = 0;
        try (ZipInputStream zip = new ZipInputStream(archive.getInputStream())) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (entry.isDirectory()) {
                    continue;
                }
                File out = new File(destDir, entry.getName());
                out.getParentFile().mkdirs();
                // vuln: CWE-22
                try (OutputStream os = new FileOutputStream(out)) {
                    zip.transferTo(os);
                }
                count++;
            }
        }
        return Map.of("extracted", count);
    }

    @PostMapping("/photos/{listingId}/bulk/v2")
    public Map<String, Integer> bulkPhotoUploadV2(@PathVariable long listingId,
                                                  @RequestParam("archive") MultipartFile archive) throws IOException {
        File destDir = photoRoot.resolve(Long.toString(listingId)).toFile();
        destDir.mkdirs();
        String destCanonical = destDir.getCanonicalPath() + File.separator;
        int count = 0;
        try (ZipInputStream zip = new ZipInputStream(archive.getInputStream())) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (entry.isDirectory()) {
                    continue;
                }
                File out = new File(destDir, entry.getName());
                if (!out.getCanonicalPath().startsWith(destCanonical)) {
                    throw new IOException("Entry is outside of the target dir: " + entry.getName());
                }
                out.getParentFile().mkdirs();
                // safe: CWE-22
                try (OutputStream os = new FileOutputStream(out)) {
                    zip.transferTo(os);
                }
                count++;
            }
        }
        return Map.of("extracted", count);
    }

    @PostMapping("/photos/{listingId}/thumbnail")
    public Map<String, String> thumbnail(@PathVariable long listingId,
                                         @RequestParam("photo") MultipartFile photo,
                                         @RequestParam(value = "size", defaultValue = "400x300") String size) throws Exception {
        Path dir = photoRoot.resolve(Long.toString(listingId));
        Files.createDirectories(dir);
        Path src = dir.resolve(UUID.randomUUID() + ".jpg");
        photo.transferTo(src);
        String thumb = dir.resolve("thumb_" + src.getFileName()).toString();
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "convert " + src + " -resize " + size + " " + thumb});
        p.waitFor(30, TimeUnit.SECONDS);
        return Map.of("thumbnail", thumb);
    }

    @PostMapping("/photos/{listingId}/thumbnail/v2")
    public Map<String, String> thumbnailV2(@PathVariable long listingId,
                                           @RequestParam("photo") MultipartFile photo,
                                           @RequestParam(value = "size", defaultValue = "400x300") String size) throws Exception {
        if (!size.matches("^[0-9]{2,4}x[0-9]{2,4}$")) {
            throw new IllegalArgumentException("bad size");
        }
        Path dir = photoRoot.resolve(Long.toString(listingId));
        Files.createDirectories(dir);
        Path src = dir.resolve(UUID.randomUUID() + ".jpg");
        photo.transferTo(src);
        String thumb = dir.resolve("thumb_" + src.getFileName()).toString();
        // safe: CWE-78
        Process p = new ProcessBuilder("convert", src.toString(), "-resize", size, thumb).start();
        p.waitFor(30, TimeUnit.SECONDS);
        return Map.of("thumbnail", thumb);
    }

    @PostMapping("/payslips/extract")
    public Map<String, String> extractPayslipText(@RequestParam("payslip") MultipartFile payslip) throws Exception {
        Path tmp = Files.createTempDirectory("payslip");
        Path src = tmp.resolve(payslip.getOriginalFilename());
        try (InputStream in = payslip.getInputStream()) {
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        }
        String cmd = "pdftotext -layout '" + src + "' " + tmp.resolve("out.txt");
        // vuln: CWE-78
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        p.waitFor(60, TimeUnit.SECONDS);
        return Map.of("text", Files.readString(tmp.resolve("out.txt")));
    }

    @PostMapping("/payslips/extract/v2")
    public Map<String, String> extractPayslipTextV2(@RequestParam("payslip") MultipartFile payslip) throws Exception {
        Path tmp = Files.createTempDirectory("payslip");
        Path src = Files.createTempFile(tmp, "upload", ".pdf");
        try (InputStream in = payslip.getInputStream()) {
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        }
        Path out = tmp.resolve("out.txt");
        // safe: CWE-78
        Process p = new ProcessBuilder("pdftotext", "-layout", src.toString(), out.toString()).redirectErrorStream(true).start();
        p.waitFor(60, TimeUnit.SECONDS);
        return Map.of("text", Files.readString(out));
    }

    private static String extensionOf(String contentType) {
        if ("application/pdf".equals(contentType)) {
            return ".pdf";
        }
        if ("image/png".equals(contentType)) {
            return ".png";
        }
        return ".jpg";
    }

    public static class PhotoRef {
        private String listingId;
        private String fileName;

        public String getListingId() { return listingId; }
        public String getFileName() { return fileName; }
    }

    public interface DocumentRepository {
        void register(long applicantId, String storedName, String originalName);
        String photoPath(long photoId);
    }
}
