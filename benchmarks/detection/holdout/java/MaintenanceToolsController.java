package gov.riverton.admin;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.util.StreamUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin tools for the platform team: backups, service restarts, log download,
 * connectivity checks and account resets. Secured to ROLE_PLATFORM_ADMIN / ROLE_HELPDESK
 * by the web security configuration, but the help desk role is broad.
 */
@RestController
@RequestMapping("/admin/tools")
public class MaintenanceToolsController {

    private static final Path LOG_ROOT = Paths.get("/var/log/riverton");
    private static final Path BACKUP_ROOT = Paths.get("/var/backups/riverton");
    private static final Set<String> BACKUP_TABLES = Set.of("residents", "parking_permits", "building_permits",
            "utility_accounts", "service_requests", "payments");
    private static final Pattern HOSTNAME = Pattern.compile("^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$");
    private static final Pattern LOG_FILE = Pattern.compile("^[a-z0-9-]+\\.log(\\.\\d{1,3})?(\\.gz)?$");
    private static final ExpressionParser SPEL = new SpelExpressionParser();

    enum ManagedService {
        PORTAL("riverton-portal.service"),
        PAYMENTS("riverton-payments.service"),
        GIS_PROXY("riverton-gis-proxy.service"),
        REPORTS("riverton-reports.service");

        private final String unit;

        ManagedService(String unit) {
            this.unit = unit;
        }

        String unit() {
            return unit;
        }
    }

    public static class DiagnosticsRequest {
        private String expression;
        private String component;

        public String getExpression() { return expression; }
        public void setExpression(String expression) { this.expression = expression; }
        public String getComponent() { return component; }
        public void setComponent(String component) { this.component = component; }
    }

    private final PasswordEncoder passwordEncoder;
    private final StaffAccountRepository staffAccounts;
    private final PlatformHealth platformHealth;
    private final String databaseName;

    public MaintenanceToolsController(PasswordEncoder passwordEncoder, StaffAccountRepository staffAccounts,
                                      PlatformHealth platformHealth, @Value("${riverton.db.name:riverton}") String databaseName) {
        this.passwordEncoder = passwordEncoder;
        this.staffAccounts = staffAccounts;
        this.platformHealth = platformHealth;
        this.databaseName = databaseName;
    }

    // ------------------------------------------------------------------ backups

    @PostMapping("/backup/{table}")
    @PreAuthorize("hasRole('PLATFORM_ADMIN')")
    public ResponseEntity<String> backupTable(@PathVariable("table") String table) throws IOException, InterruptedException {
        String stamp = LocalDate.now().format(DateTimeFormatter.BASIC_ISO_DATE);
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "pg_dump --table=" + table + " " + databaseName + " | gzip > " + BACKUP_ROOT + "/" + table + "-" + stamp + ".sql.gz"});
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        return done && p.exitValue() == 0 ? ResponseEntity.ok("backup written") : ResponseEntity.internalServerError().body("backup failed");
    }

    @PostMapping("/backup")
    @PreAuthorize("hasRole('PLATFORM_ADMIN')")
    public ResponseEntity<String> backupTables(@RequestParam("tables") List<String> tables) throws IOException, InterruptedException {
        String stamp = LocalDate.now().format(DateTimeFormatter.BASIC_ISO_DATE);
        for (String requested : tables) {
            String table = requested.trim().toLowerCase(Locale.ROOT);
            if (!BACKUP_TABLES.contains(table)) {
                return ResponseEntity.badRequest().body("table not eligible for backup: " + table);
            }
            Path target = BACKUP_ROOT.resolve(table + "-" + stamp + ".dump");
            // safe: CWE-78
            Process p = new ProcessBuilder("/usr/bin/pg_dump", "--format=custom", "--table=" + table, "--file=" + target, databaseName).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                return ResponseEntity.internalServerError().body("backup failed for " + table);
            }
        }
        return ResponseEntity.ok("backups written");
    }

    // ------------------------------------------------------------------ services

    @PostMapping("/services/{name}/restart")
    public ResponseEntity<String> restart(@PathVariable("name") String name) throws IOException, InterruptedException {
        ManagedService service;
        try {
            service = ManagedService.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body("unknown service");
        }
        // safe: CWE-78
        Process p = new ProcessBuilder("/usr/bin/sudo", "-n", "/bin/systemctl", "restart", service.unit()).start();
        p.waitFor(60, TimeUnit.SECONDS);
        return ResponseEntity.ok(service.unit() + " restarted");
    }

    @PostMapping("/services/logs/rotate")
    public ResponseEntity<String> rotateLogs(@RequestParam("service") String service,
                                             @RequestParam(value = "keep", defaultValue = "7") int keep) throws IOException, InterruptedException {
        if (service.contains(";") || service.contains("&") || service.contains("..") || service.contains(" ")) {
            return ResponseEntity.badRequest().body("invalid service name");
        }
        String command = String.format("find %s -name '%s*.log.*' -mtime +%d -delete && gzip -9 %s/%s.log", LOG_ROOT, service, keep, LOG_ROOT, service);
        // vuln: CWE-78
        Process p = new ProcessBuilder("/bin/bash", "-c", command).redirectErrorStream(true).start();
        p.waitFor(2, TimeUnit.MINUTES);
        return ResponseEntity.ok("rotated");
    }

    // ------------------------------------------------------------------ connectivity

    @GetMapping(value = "/net/ping", produces = MediaType.TEXT_PLAIN_VALUE)
    public String ping(@RequestParam("host") String host) throws IOException, InterruptedException {
        String target = host.trim();
        if (!HOSTNAME.matcher(target).matches()) {
            return "invalid host name";
        }
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/bin/ping", "-c", "3", "-W", "2", target});
        p.waitFor(15, TimeUnit.SECONDS);
        try (InputStream in = p.getInputStream()) {
            return StreamUtils.copyToString(in, StandardCharsets.UTF_8);
        }
    }

    @GetMapping(value = "/net/trace", produces = MediaType.TEXT_PLAIN_VALUE)
    public String traceroute(@RequestParam("host") String host,
                             @RequestParam(value = "maxHops", defaultValue = "20") String maxHops) throws IOException, InterruptedException {
        if (!HOSTNAME.matcher(host).matches()) {
            return "invalid host name";
        }
        StringBuilder cmd = new StringBuilder("traceroute -m ").append(maxHops).append(' ').append(host).append(" 2>&1");
        // vuln: CWE-78
        Process p = new ProcessBuilder("sh", "-c", cmd.toString()).start();
        p.waitFor(60, TimeUnit.SECONDS);
        try (InputStream in = p.getInputStream()) {
            return StreamUtils.copyToString(in, StandardCharsets.UTF_8);
        }
    }

    @GetMapping(value = "/net/dns", produces = MediaType.TEXT_PLAIN_VALUE)
    public String dnsLookup(@RequestParam("name") String name,
                            @RequestParam(value = "type", defaultValue = "A") String type) throws IOException, InterruptedException {
        String recordType = type.toUpperCase(Locale.ROOT);
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "dig +short " + recordType + " " + name + " 2>&1"});
        p.waitFor(15, TimeUnit.SECONDS);
        try (InputStream in = p.getInputStream()) {
            return StreamUtils.copyToString(in, StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------ logs

    @GetMapping("/logs")
    public ResponseEntity<byte[]> downloadLog(@RequestParam("file") String file) throws IOException {
        if (file.contains("..") || file.startsWith("/")) {
            return ResponseEntity.badRequest().build();
        }
        String name = URLDecoder.decode(file, StandardCharsets.UTF_8);
        // vuln: CWE-22
        byte[] content = Files.readAllBytes(LOG_ROOT.resolve(name));
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"riverton.log\"")
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(content);
    }

    @GetMapping("/logs/{service}/{file}")
    public ResponseEntity<byte[]> downloadServiceLog(@PathVariable("service") String service,
                                                     @PathVariable("file") String file) throws IOException {
        Path dir = LOG_ROOT.resolve(service).normalize();
        Path requested = dir.resolve(file).normalize();
        if (!dir.startsWith(LOG_ROOT) || !requested.startsWith(dir) || !LOG_FILE.matcher(requested.getFileName().toString()).matches()) {
            return ResponseEntity.badRequest().build();
        }
        // safe: CWE-22
        byte[] content = Files.readAllBytes(requested);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(content);
    }

    @GetMapping(value = "/logs/tail", produces = MediaType.TEXT_PLAIN_VALUE)
    public String tail(@RequestParam("file") String file, @RequestParam(value = "lines", defaultValue = "200") int lines) throws IOException {
        if (!LOG_FILE.matcher(file).matches()) {
            return "invalid log file name";
        }
        // safe: CWE-22
        List<String> all = Files.readAllLines(LOG_ROOT.resolve(file), StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @PostMapping("/logs/archive")
    public ResponseEntity<String> archive(@RequestBody Map<String, String> body) throws IOException {
        String source = body.getOrDefault("source", "");
        String label = body.getOrDefault("label", "manual");
        Path from = LOG_ROOT.resolve(source).normalize();
        if (!from.startsWith(LOG_ROOT)) {
            return ResponseEntity.badRequest().body("source outside log directory");
        }
        // vuln: CWE-22
        Files.copy(from, BACKUP_ROOT.resolve("logs").resolve(label + "-" + from.getFileName()));
        return ResponseEntity.ok("archived");
    }

    // ------------------------------------------------------------------ accounts

    @PostMapping("/accounts/{username}/reset-password")
    @PreAuthorize("hasAnyRole('PLATFORM_ADMIN','HELPDESK')")
    public Map<String, String> resetPassword(@PathVariable("username") String username) {
        // vuln: CWE-330
        String temporary = "Rvt-" + Integer.toString(100000 + new Random().nextInt(900000));
        staffAccounts.setPassword(username, passwordEncoder.encode(temporary), true);
        return Map.of("username", username, "temporaryPassword", temporary);
    }

    /** Nightly cache warm-up; staggered so all nodes do not hit the database at once. */
    @Scheduled(cron = "0 15 2 * * *")
    public void warmCaches() throws InterruptedException {
        // safe: CWE-330
        long jitterMillis = ThreadLocalRandom.current().nextLong(0, 90_000);
        Thread.sleep(jitterMillis);
        platformHealth.warmCaches();
    }

    // ------------------------------------------------------------------ diagnostics

    @PostMapping("/diagnostics/eval")
    @PreAuthorize("hasAnyRole('PLATFORM_ADMIN','HELPDESK')")
    public Object evaluate(@RequestBody DiagnosticsRequest request) {
        StandardEvaluationContext context = new StandardEvaluationContext(platformHealth);
        Expression expr = SPEL.parseExpression(request.getExpression());
        // vuln: CWE-94
        return expr.getValue(context);
    }

    @GetMapping("/diagnostics/property")
    public Object property(@RequestParam("path") String path) {
        SimpleEvaluationContext context = SimpleEvaluationContext.forReadOnlyDataBinding().build();
        // safe: CWE-94
        return SPEL.parseExpression(path).getValue(context, platformHealth.snapshot());
    }

    interface StaffAccountRepository {
        void setPassword(String username, String encodedPassword, boolean mustChange);
    }

    interface PlatformHealth {
        void warmCaches();

        Object snapshot();
    }
}
