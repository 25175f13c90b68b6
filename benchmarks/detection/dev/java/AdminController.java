package com.example.shop.admin;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Operator-only diagnostics and report downloads. */
@RestController
@RequestMapping("/admin")
public class AdminController {

    private static final Path REPORT_DIR = Paths.get("/srv/reports");
    private static final String UPLOAD_DIR = "/srv/uploads";
    private static final Pattern BRANCH = Pattern.compile("^[A-Za-z0-9._/-]{1,100}$");

    public record ThumbnailRequest(String file, int width) {}

    private static String run(Process process) throws IOException {
        try (InputStream in = process.getInputStream()) {
            return new String(in.readAllBytes());
        }
    }

    @GetMapping("/ping")
    public String ping(@RequestParam String host) throws IOException {
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec("ping -c 3 " + host);
        return run(p);
    }

    @PostMapping("/thumbnail")
    public String thumbnail(@RequestBody ThumbnailRequest req) throws IOException {
        String cmd = "convert " + UPLOAD_DIR + "/" + req.file() + " -resize " + req.width() + "x thumbs/" + req.file();
        // vuln: CWE-78
        Process p = new ProcessBuilder("sh", "-c", cmd).start();
        return run(p);
    }

    private String gitLog(String branch) throws IOException {
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/bin/bash", "-c", "git log --oneline -n 20 " + branch});
        return run(p);
    }

    @GetMapping("/commits/{branch}")
    public String commits(@PathVariable String branch) throws IOException {
        return gitLog(branch);
    }

    @GetMapping("/whois")
    public String whois(@RequestHeader("X-Lookup-Domain") String domain) throws IOException {
        ProcessBuilder pb = new ProcessBuilder();
        // vuln: CWE-78
        pb.command("cmd.exe", "/c", "whois " + domain);
        return run(pb.start());
    }

    @GetMapping("/ping/safe")
    public String pingSafe(@RequestParam String host) throws IOException {
        String address = InetAddress.getByName(host).getHostAddress();
        // safe: CWE-78
        Process p = new ProcessBuilder("ping", "-c", "3", address).start();
        return run(p);
    }

    @GetMapping("/uptime")
    public String uptime() throws IOException {
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"sh", "-c", "uptime && df -h /srv"});
        return run(p);
    }

    @PostMapping("/thumbnail/safe")
    public String thumbnailSafe(@RequestBody ThumbnailRequest req) throws IOException {
        String file = Paths.get(req.file()).getFileName().toString();
        // safe: CWE-78
        Process p = new ProcessBuilder(List.of("convert", UPLOAD_DIR + "/" + file, "-resize", Integer.toString(req.width()) + "x", "thumbs/" + file)).start();
        return run(p);
    }

    @GetMapping("/commits/{branch}/safe")
    public String commitsSafe(@PathVariable String branch) throws IOException {
        if (!BRANCH.matcher(branch).matches() || branch.startsWith("-")) {
            throw new IllegalArgumentException("bad branch name");
        }
        // safe: CWE-78
        Process p = new ProcessBuilder("git", "log", "--oneline", "-n", "20", branch).directory(new File("/srv/app")).start();
        return run(p);
    }

    @GetMapping("/reports")
    public ResponseEntity<byte[]> report(@RequestParam("name") String name) throws IOException {
        // vuln: CWE-22
        byte[] data = Files.readAllBytes(REPORT_DIR.resolve(name));
        return ResponseEntity.ok(data);
    }

    @GetMapping("/uploads")
    public Resource upload(@RequestParam("file") String file) {
        // vuln: CWE-22
        return new FileSystemResource(new File(UPLOAD_DIR, file));
    }

    @DeleteMapping("/uploads")
    public void deleteUpload(@RequestParam String path) {
        File target = new File(UPLOAD_DIR + "/" + path);
        // vuln: CWE-22
        target.delete();
    }

    @GetMapping("/exports/last")
    public byte[] lastExport(@CookieValue("last_export") String exportName) throws IOException {
        // vuln: CWE-22
        try (FileInputStream in = new FileInputStream("/srv/exports/" + exportName)) {
            return in.readAllBytes();
        }
    }

    @GetMapping("/reports/safe")
    public ResponseEntity<byte[]> reportSafe(@RequestParam("name") String name) throws IOException {
        Path target = REPORT_DIR.resolve(name).normalize();
        if (!target.startsWith(REPORT_DIR)) {
            return ResponseEntity.badRequest().build();
        }
        // safe: CWE-22
        byte[] data = Files.readAllBytes(target);
        return ResponseEntity.ok(data);
    }

    @GetMapping("/uploads/{file}/safe")
    public Resource uploadSafe(@PathVariable String file) {
        String name = new File(file).getName();
        // safe: CWE-22
        return new FileSystemResource(new File(UPLOAD_DIR, name));
    }

    @GetMapping("/exports/{id}")
    public byte[] export(@PathVariable long id) throws IOException {
        // safe: CWE-22
        try (FileInputStream in = new FileInputStream("/srv/exports/export-" + id + ".csv")) {
            return in.readAllBytes();
        }
    }

    @GetMapping("/logs/{kind}")
    public byte[] log(@PathVariable String kind) throws IOException {
        String file = switch (kind) {
            case "access" -> "access.log";
            case "error" -> "error.log";
            default -> throw new IllegalArgumentException("unknown log");
        };
        // safe: CWE-22
        return Files.readAllBytes(Paths.get("/var/log/shop", file));
    }
}
