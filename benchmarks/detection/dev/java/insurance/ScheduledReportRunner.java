package com.harbormutual.reporting;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.apache.commons.io.IOUtils;
import org.apache.commons.lang3.RandomStringUtils;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.Velocity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
@RequestMapping("/reports")
public class ScheduledReportRunner {

    private static final Logger log = LoggerFactory.getLogger(ScheduledReportRunner.class);
    private static final String EXPORT_DIR = "/var/harbor/exports";
    private static final Path TEMPLATE_DIR = Paths.get("/var/harbor/report-templates");

    enum OutputFormat { PDF, XLSX, CSV, ODS }

    private static final Map<String, String> HEADER_TEMPLATES = Map.of(
            "standard", "Harbor Mutual - $reportName - generated $runDate",
            "regulatory", "Harbor Mutual Insurance Co. | NAIC $naic | $reportName | $runDate",
            "internal", "INTERNAL - $reportName ($rows rows)");

    private final ReportStore store;
    private final KeyringLookup keyring;
    private final SecureRandom secureRandom = new SecureRandom();

    public ScheduledReportRunner(ReportStore store, KeyringLookup keyring) {
        this.store = store;
        this.keyring = keyring;
    }

    @PostMapping("/{reportId}/convert")
    public Map<String, String> convert(@PathVariable String reportId, @RequestParam("format") String format) throws IOException, InterruptedException {
        Path source = store.renderedHtml(reportId);
        String cmd = "soffice --headless --convert-to " + format + " --outdir " + EXPORT_DIR + " " + source;
        // vuln: CWE-78
        Process p = new ProcessBuilder("/bin/sh", "-c", cmd).redirectErrorStream(true).start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        return Map.of("reportId", reportId, "status", finished && p.exitValue() == 0 ? "converted" : "failed");
    }

    @PostMapping("/{reportId}/convert/v2")
    public Map<String, String> convertV2(@PathVariable String reportId, @RequestParam("format") String format) throws IOException, InterruptedException {
        OutputFormat fmt = OutputFormat.valueOf(format.toUpperCase());
        Path source = store.renderedHtml(reportId);
        // safe: CWE-78
        Process p = new ProcessBuilder("soffice", "--headless", "--convert-to", fmt.name().toLowerCase(), "--outdir", EXPORT_DIR, source.toString()).redirectErrorStream(true).start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        return Map.of("reportId", reportId, "status", finished && p.exitValue() == 0 ? "converted" : "failed");
    }

    @PostMapping("/{reportId}/encrypt")
    public Map<String, String> encryptForRecipient(@PathVariable String reportId, @RequestBody Map<String, String> body) throws IOException {
        String recipient = body.getOrDefault("recipient", "");
        Path export = store.exportFile(reportId);
        String[] command = {"bash", "-c", "gpg --batch --yes --trust-model always --encrypt --recipient " + recipient + " --output " + export + ".gpg " + export};
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(command);
        log.info("Started gpg for report {} (pid {})", reportId, p.pid());
        return Map.of("reportId", reportId, "output", export + ".gpg");
    }

    @PostMapping("/{reportId}/encrypt/v2")
    public Map<String, String> encryptForRecipientV2(@PathVariable String reportId, @RequestBody Map<String, String> body) throws IOException {
        String fingerprint = keyring.fingerprintFor(body.getOrDefault("recipient", ""));
        if (fingerprint == null) {
            throw new IllegalArgumentException("recipient has no registered key");
        }
        Path export = store.exportFile(reportId);
        String[] command = {"gpg", "--batch", "--yes", "--encrypt", "--recipient", fingerprint, "--output", export + ".gpg", export.toString()};
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec(command);
        log.info("Started gpg for report {} (pid {})", reportId, p.pid());
        return Map.of("reportId", reportId, "output", export + ".gpg");
    }

    @PostMapping("/bundles")
    public Map<String, String> bundle(HttpServletRequest request) throws IOException {
        String period = request.getParameter("period");
        String archive = EXPORT_DIR + "/bundle-" + period + ".zip";
        // vuln: CWE-78
        Runtime.getRuntime().exec("zip -9 -j " + archive + " " + EXPORT_DIR + "/" + period + "/*.csv");
        return Map.of("archive", archive);
    }

    @PostMapping("/bundles/v2")
    public Map<String, String> bundleV2(HttpServletRequest request) throws IOException {
        LocalDate month = LocalDate.parse(request.getParameter("period") + "-01");
        String period = String.format("%04d-%02d", month.getYear(), month.getMonthValue());
        Path archive = Paths.get(EXPORT_DIR, "bundle-" + period + "-" + UUID.randomUUID() + ".zip");
        // safe: CWE-78
        Runtime.getRuntime().exec(new String[]{"zip", "-9", "-j", "-r", archive.toString(), Paths.get(EXPORT_DIR, period).toString()});
        return Map.of("archive", archive.getFileName().toString());
    }

    @GetMapping("/exports/download")
    public void download(@RequestParam("file") String file, HttpServletResponse response) throws IOException {
        String cleaned = file.replace("../", "").replace("..\\", "");
        File export = new File(EXPORT_DIR, cleaned);
        response.setContentType("application/octet-stream");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + export.getName() + "\"");
        // vuln: CWE-22
        try (InputStream in = new FileInputStream(export)) {
            IOUtils.copy(in, response.getOutputStream());
        }
    }

    @GetMapping("/exports/download/v2")
    public void downloadV2(@RequestParam("file") String file, HttpServletResponse response) throws IOException {
        File base = new File(EXPORT_DIR).getCanonicalFile();
        File export = new File(base, file).getCanonicalFile();
        if (!export.getPath().startsWith(base.getPath() + File.separator)) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setContentType("application/octet-stream");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + export.getName() + "\"");
        // safe: CWE-22
        try (InputStream in = new FileInputStream(export)) {
            IOUtils.copy(in, response.getOutputStream());
        }
    }

    @PostMapping("/templates")
    public Map<String, String> uploadTemplate(@RequestParam("template") MultipartFile upload) throws IOException {
        Path target = Paths.get(TEMPLATE_DIR + "/" + upload.getOriginalFilename());
        // vuln: CWE-22
        Files.copy(upload.getInputStream(), target, StandardCopyOption.REPLACE_EXISTING);
        return Map.of("stored", target.getFileName().toString());
    }

    @PostMapping("/templates/v2")
    public Map<String, String> uploadTemplateV2(@RequestParam("template") MultipartFile upload) throws IOException {
        String storedName = UUID.randomUUID() + ".vm";
        Path target = TEMPLATE_DIR.resolve(storedName);
        store.recordTemplate(storedName, upload.getOriginalFilename(), upload.getSize());
        // safe: CWE-22
        Files.copy(upload.getInputStream(), target, StandardCopyOption.REPLACE_EXISTING);
        return Map.of("stored", storedName);
    }

    @PostMapping("/{reportId}/header-preview")
    public String previewHeader(@PathVariable String reportId, @RequestBody Map<String, String> body) {
        VelocityContext ctx = new VelocityContext();
        ctx.put("reportName", store.reportName(reportId));
        ctx.put("runDate", LocalDate.now().toString());
        ctx.put("rows", store.rowCount(reportId));
        String headerTemplate = body.getOrDefault("header", "$reportName");
        StringWriter out = new StringWriter();
        // vuln: CWE-94
        Velocity.evaluate(ctx, out, "header-" + reportId, headerTemplate);
        return out.toString();
    }

    @PostMapping("/{reportId}/header-preview/v2")
    public String previewHeaderV2(@PathVariable String reportId, @RequestBody Map<String, String> body) {
        VelocityContext ctx = new VelocityContext();
        ctx.put("reportName", store.reportName(reportId));
        ctx.put("runDate", LocalDate.now().toString());
        ctx.put("rows", store.rowCount(reportId));
        ctx.put("naic", "24511");
        String headerTemplate = HEADER_TEMPLATES.getOrDefault(body.getOrDefault("style", "standard"), HEADER_TEMPLATES.get("standard"));
        StringWriter out = new StringWriter();
        // safe: CWE-94
        Velocity.evaluate(ctx, out, "header-" + reportId, headerTemplate);
        return out.toString();
    }

    @PostMapping("/{reportId}/share")
    public Map<String, String> shareLink(@PathVariable String reportId) {
        // vuln: CWE-330
        String token = Long.toString((long) (Math.random() * Long.MAX_VALUE), 36);
        store.saveShareToken(reportId, token);
        return Map.of("url", "/reports/shared/" + token);
    }

    @PostMapping("/{reportId}/share/v2")
    public Map<String, String> shareLinkV2(@PathVariable String reportId) {
        byte[] raw = new byte[24];
        // safe: CWE-330
        secureRandom.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        store.saveShareToken(reportId, token);
        return Map.of("url", "/reports/shared/" + token);
    }

    @PostMapping("/{reportId}/share/pin")
    public Map<String, String> sharePin(@PathVariable String reportId) {
        // vuln: CWE-330
        String pin = RandomStringUtils.randomAlphanumeric(10);
        store.saveSharePin(reportId, pin);
        return Map.of("reportId", reportId, "pin", pin);
    }

    public void runNightlyBatch() throws InterruptedException {
        for (String reportId : store.dueReports()) {
            // safe: CWE-330
            long jitterMs = ThreadLocalRandom.current().nextLong(250, 5_000);
            Thread.sleep(jitterMs);
            try {
                store.render(reportId);
            } catch (RuntimeException ex) {
                log.error("Scheduled report {} failed", reportId, ex);
            }
        }
    }

    public interface ReportStore {
        Path renderedHtml(String reportId);
        Path exportFile(String reportId);
        String reportName(String reportId);
        int rowCount(String reportId);
        void recordTemplate(String storedName, String originalName, long size);
        void saveShareToken(String reportId, String token);
        void saveSharePin(String reportId, String pin);
        Iterable<String> dueReports();
        void render(String reportId);
    }

    public interface KeyringLookup {
        String fingerprintFor(String recipientEmail);
    }
}
