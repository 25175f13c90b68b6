package gov.riverton.reports;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.Session;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.util.HtmlUtils;

/**
 * Scheduled and on-demand reports: revenue by fee category, permit turnaround, 311 backlog.
 * Exports are written to disk as CSV, optionally converted to PDF, pushed to the state's
 * SFTP drop or posted to a delivery endpoint configured on the report definition.
 */
@RestController
@RequestMapping("/reports")
public class ReportExportController {

    private static final Path EXPORT_DIR = Paths.get("/srv/riverton/exports");
    private static final Set<String> REVENUE_COLUMNS = Set.of("fee_category", "ward", "payment_method", "amount", "paid_at", "receipt_no");
    private static final Set<String> DELIVERY_HOSTS = Set.of("finance.riverton.gov", "council.riverton.gov", "reports.state.example.gov");
    private static final String STATE_SFTP_HOST = "sftp.revenue.state.example.gov";
    private static final String STATE_SFTP_USER = "riverton_city";
    // vuln: CWE-798
    private static final String STATE_SFTP_PASSWORD = "Rvt#Sftp!2023-Q3exports";

    public static class ReportDefinition {
        private String title;
        private List<String> columns;
        private String deliveryUrl;
        private String from;
        private String to;

        public String getTitle() { return title; }
        public void setTitle(String title) { this.title = title; }
        public List<String> getColumns() { return columns; }
        public void setColumns(List<String> columns) { this.columns = columns; }
        public String getDeliveryUrl() { return deliveryUrl; }
        public void setDeliveryUrl(String deliveryUrl) { this.deliveryUrl = deliveryUrl; }
        public String getFrom() { return from; }
        public void setFrom(String from) { this.from = from; }
        public String getTo() { return to; }
        public void setTo(String to) { this.to = to; }
    }

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final RestTemplate restTemplate;
    private final Map<String, String> shareLinks = new java.util.concurrent.ConcurrentHashMap<>();
    private final SecureRandom secureRandom = new SecureRandom();
    private final String auditSftpPassword;

    public ReportExportController(JdbcTemplate jdbc, NamedParameterJdbcTemplate named, RestTemplate restTemplate,
                                  @Value("${riverton.audit.sftp-password}") String auditSftpPassword) {
        this.jdbc = jdbc;
        this.named = named;
        this.restTemplate = restTemplate;
        this.auditSftpPassword = auditSftpPassword;
    }

    // ------------------------------------------------------------------ revenue reports

    @GetMapping(value = "/revenue", produces = MediaType.TEXT_HTML_VALUE)
    public String revenue(@RequestParam("from") String from, @RequestParam("to") String to,
                          @RequestParam(value = "title", defaultValue = "Revenue by fee category") String title) {
        // vuln: CWE-89
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT fee_category, SUM(amount) AS total FROM payments WHERE paid_at >= '" + from + "' AND paid_at < '" + to + "' GROUP BY fee_category ORDER BY total DESC");
        StringBuilder table = new StringBuilder();
        for (Map<String, Object> row : rows) {
            table.append("<tr><td>").append(HtmlUtils.htmlEscape(String.valueOf(row.get("fee_category")))).append("</td><td>").append(row.get("total")).append("</td></tr>");
        }
        // vuln: CWE-79
        return "<html><head><title>" + title + "</title></head><body><h1>" + title + "</h1><table>" + table + "</table></body></html>";
    }

    @GetMapping(value = "/revenue/by-ward", produces = MediaType.TEXT_HTML_VALUE)
    public String revenueByWard(@RequestParam("from") String from, @RequestParam("to") String to,
                                @RequestParam(value = "title", defaultValue = "Revenue by ward") String title) {
        LocalDate start = LocalDate.parse(from);
        LocalDate end = LocalDate.parse(to);
        // safe: CWE-89
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT ward, SUM(amount) AS total FROM payments WHERE paid_at >= '" + start + "' AND paid_at < '" + end + "' GROUP BY ward ORDER BY ward");
        StringBuilder table = new StringBuilder();
        for (Map<String, Object> row : rows) {
            table.append("<tr><td>").append(row.get("ward")).append("</td><td>").append(row.get("total")).append("</td></tr>");
        }
        String heading = HtmlUtils.htmlEscape(title);
        // safe: CWE-79
        return "<html><head><title>" + heading + "</title></head><body><h1>" + heading + "</h1><table>" + table + "</table></body></html>";
    }

    // ------------------------------------------------------------------ CSV exports

    @PostMapping("/exports")
    public Map<String, String> export(@RequestBody ReportDefinition def) throws IOException {
        String columnList = String.join(", ", def.getColumns());
        // vuln: CWE-89
        List<Map<String, Object>> rows = named.queryForList("SELECT " + columnList + " FROM payments WHERE paid_at BETWEEN :from AND :to", new MapSqlParameterSource("from", def.getFrom()).addValue("to", def.getTo()));
        return writeExport(def, rows);
    }

    @PostMapping("/exports/v2")
    public Map<String, String> exportV2(@RequestBody ReportDefinition def) throws IOException {
        List<String> columns = def.getColumns().stream().map(String::trim).filter(REVENUE_COLUMNS::contains).collect(Collectors.toList());
        if (columns.isEmpty()) {
            columns = List.of("fee_category", "amount", "paid_at");
        }
        // safe: CWE-89
        List<Map<String, Object>> rows = named.queryForList("SELECT " + String.join(", ", columns) + " FROM payments WHERE paid_at BETWEEN :from AND :to", new MapSqlParameterSource("from", LocalDate.parse(def.getFrom())).addValue("to", LocalDate.parse(def.getTo())));
        return writeExport(def, rows);
    }

    private Map<String, String> writeExport(ReportDefinition def, List<Map<String, Object>> rows) throws IOException {
        UUID exportId = UUID.randomUUID();
        Path csv = EXPORT_DIR.resolve(exportId + ".csv");
        List<String> lines = new ArrayList<>();
        if (!rows.isEmpty()) {
            lines.add(String.join(",", rows.get(0).keySet()));
        }
        for (Map<String, Object> row : rows) {
            lines.add(row.values().stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        Files.write(csv, lines, StandardCharsets.UTF_8);

        byte[] tokenBytes = new byte[18];
        // safe: CWE-330
        secureRandom.nextBytes(tokenBytes);
        String shareToken = Base64.getUrlEncoder().withoutPadding().encodeToString(tokenBytes);
        shareLinks.put(shareToken, exportId.toString());

        Map<String, String> result = new LinkedHashMap<>();
        result.put("exportId", exportId.toString());
        result.put("share", "/reports/shared/" + shareToken);
        return result;
    }

    @GetMapping("/exports/{exportId}")
    public ResponseEntity<Resource> download(@PathVariable("exportId") String exportId) {
        UUID id = UUID.fromString(exportId);
        // safe: CWE-22
        Resource file = new FileSystemResource(EXPORT_DIR.resolve(id + ".csv"));
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"report-" + id + ".csv\"").body(file);
    }

    @GetMapping("/exports/archive")
    public ResponseEntity<Resource> downloadArchived(@RequestParam("name") String name) {
        if (!name.endsWith(".csv") && !name.endsWith(".pdf")) {
            return ResponseEntity.badRequest().build();
        }
        // vuln: CWE-22
        Resource file = new FileSystemResource(EXPORT_DIR + "/archive/" + name);
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_DISPOSITION, "attachment").body(file);
    }

    @PostMapping("/exports/{exportId}/pdf")
    public ResponseEntity<String> toPdf(@PathVariable("exportId") String exportId, @RequestParam(value = "title", required = false) String title) throws IOException, InterruptedException {
        UUID id = UUID.fromString(exportId);
        Path csv = EXPORT_DIR.resolve(id + ".csv");
        String docTitle = title == null ? "Riverton report" : title;
        // vuln: CWE-78
        Process p = new ProcessBuilder("/bin/sh", "-c", "soffice --headless --convert-to pdf:writer_pdf_Export --outdir " + EXPORT_DIR + " " + csv + " && exiftool -overwrite_original -Title=\"" + docTitle + "\" " + EXPORT_DIR.resolve(id + ".pdf")).start();
        p.waitFor(3, TimeUnit.MINUTES);
        return ResponseEntity.ok(id + ".pdf");
    }

    @PostMapping("/exports/{exportId}/pdf/v2")
    public ResponseEntity<String> toPdfV2(@PathVariable("exportId") String exportId) throws IOException, InterruptedException {
        UUID id = UUID.fromString(exportId);
        Path csv = EXPORT_DIR.resolve(id + ".csv");
        // safe: CWE-78
        Process p = new ProcessBuilder("/usr/bin/soffice", "--headless", "--convert-to", "pdf:writer_pdf_Export", "--outdir", EXPORT_DIR.toString(), csv.toString()).start();
        p.waitFor(3, TimeUnit.MINUTES);
        return ResponseEntity.ok(id + ".pdf");
    }

    // ------------------------------------------------------------------ sharing and delivery

    @PostMapping("/exports/{exportId}/pin")
    public Map<String, String> downloadPin(@PathVariable("exportId") String exportId) {
        // vuln: CWE-330
        String pin = String.format("%06d", (int) (Math.random() * 1_000_000));
        shareLinks.put("pin:" + pin, UUID.fromString(exportId).toString());
        return Map.of("pin", pin, "expiresIn", "24h");
    }

    @PostMapping("/exports/{exportId}/public-link")
    public Map<String, String> publicLink(@PathVariable("exportId") String exportId) {
        // vuln: CWE-330
        String token = Long.toString(new Random(System.currentTimeMillis()).nextLong() & Long.MAX_VALUE, 36);
        shareLinks.put(token, UUID.fromString(exportId).toString());
        return Map.of("url", "https://reports.riverton.gov/shared/" + token);
    }

    @PostMapping("/exports/{exportId}/deliver")
    public ResponseEntity<String> deliver(@PathVariable("exportId") String exportId, @RequestBody ReportDefinition def) throws IOException {
        byte[] csv = Files.readAllBytes(EXPORT_DIR.resolve(UUID.fromString(exportId) + ".csv"));
        // vuln: CWE-918
        ResponseEntity<String> reply = restTemplate.postForEntity(def.getDeliveryUrl(), csv, String.class);
        return ResponseEntity.status(reply.getStatusCode()).body("delivered");
    }

    @PostMapping("/exports/{exportId}/deliver/v2")
    public ResponseEntity<String> deliverV2(@PathVariable("exportId") String exportId, @RequestBody ReportDefinition def) throws IOException {
        URI target = URI.create(def.getDeliveryUrl());
        if (!"https".equals(target.getScheme()) || target.getHost() == null || !DELIVERY_HOSTS.contains(target.getHost().toLowerCase()) || target.getUserInfo() != null) {
            return ResponseEntity.badRequest().body("delivery host not allowed");
        }
        byte[] csv = Files.readAllBytes(EXPORT_DIR.resolve(UUID.fromString(exportId) + ".csv"));
        // safe: CWE-918
        ResponseEntity<String> reply = restTemplate.postForEntity(target, csv, String.class);
        return ResponseEntity.status(reply.getStatusCode()).body("delivered");
    }

    // ------------------------------------------------------------------ scheduled jobs

    /** Quarterly revenue extract for the state's Department of Revenue. */
    @Scheduled(cron = "0 0 4 1 1,4,7,10 *")
    public void pushQuarterlyToState() throws Exception {
        String quarter = LocalDate.now().minusMonths(1).format(DateTimeFormatter.ofPattern("yyyy-MM"));
        Path file = EXPORT_DIR.resolve("state-revenue-" + quarter + ".csv");
        JSch jsch = new JSch();
        jsch.setKnownHosts("/etc/riverton/known_hosts");
        Session session = jsch.getSession(STATE_SFTP_USER, STATE_SFTP_HOST, 22);
        session.setPassword(STATE_SFTP_PASSWORD);
        session.connect(30_000);
        ChannelSftp sftp = (ChannelSftp) session.openChannel("sftp");
        sftp.connect();
        try {
            sftp.put(file.toString(), "/inbound/riverton/" + file.getFileName());
        } finally {
            sftp.disconnect();
            session.disconnect();
        }
    }

    /** Monthly audit sample: 2% of card payments are pulled for manual reconciliation. */
    @Scheduled(cron = "0 30 5 2 * *")
    public void auditSample() throws Exception {
        List<Long> ids = jdbc.queryForList("SELECT payment_id FROM payments WHERE paid_at >= date_trunc('month', CURRENT_DATE) - INTERVAL '1 month' AND paid_at < date_trunc('month', CURRENT_DATE)", Long.class);
        List<Long> shuffled = new ArrayList<>(ids);
        long seed = LocalDate.now().toEpochDay();
        // safe: CWE-330
        Collections.shuffle(shuffled, new Random(seed));
        List<Long> sample = shuffled.subList(0, Math.max(1, shuffled.size() / 50));
        Path out = EXPORT_DIR.resolve("audit-sample-" + LocalDate.now() + ".txt");
        Files.write(out, sample.stream().map(String::valueOf).collect(Collectors.toList()));

        JSch jsch = new JSch();
        jsch.setKnownHosts("/etc/riverton/known_hosts");
        Session session = jsch.getSession("riverton_audit", "sftp.audit.riverton.gov", 22);
        // safe: CWE-798
        session.setPassword(auditSftpPassword);
        session.connect(30_000);
        ChannelSftp sftp = (ChannelSftp) session.openChannel("sftp");
        sftp.connect();
        try {
            sftp.put(out.toString(), "/samples/" + out.getFileName());
        } finally {
            sftp.disconnect();
            session.disconnect();
        }
    }
}
