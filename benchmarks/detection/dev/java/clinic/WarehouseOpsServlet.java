package com.example.logistics.ops;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.regex.Pattern;
import javax.servlet.ServletException;
import javax.servlet.annotation.MultipartConfig;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.Part;
import org.apache.commons.io.FilenameUtils;

/** Warehouse maintenance: label printing, archives and manifest files (plain Servlet). */
@WebServlet("/ops/*")
@MultipartConfig
public class WarehouseOpsServlet extends HttpServlet {

    private static final String MANIFEST_DIR = "/data/manifests";
    private static final Path LABEL_DIR = Paths.get("/data/labels");
    private static final Set<String> PRINTERS = Set.of("zebra-1", "zebra-2");
    private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private static void pipe(Process process, HttpServletResponse response) throws IOException {
        try (InputStream in = process.getInputStream(); OutputStream out = response.getOutputStream()) {
            in.transferTo(out);
        }
    }

    void printLabel(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String printer = request.getParameter("printer");
        String label = request.getParameter("label");
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"sh", "-c", "lp -d " + printer + " " + LABEL_DIR + "/" + label});
        pipe(p, response);
    }

    void archiveDay(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String day = request.getParameter("day");
        String command = String.format("tar czf - %s/%s", MANIFEST_DIR, day);
        // vuln: CWE-78
        Process p = new ProcessBuilder("/bin/bash", "-c", command).redirectErrorStream(true).start();
        pipe(p, response);
    }

    void remote(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String host = request.getHeader("X-Scanner-Host");
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec("ssh ops@" + host + " uptime");
        pipe(p, response);
    }

    void resize(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String size = request.getParameter("size");
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"cmd.exe", "/c", "magick labels\\latest.png -resize " + size + " png:-"});
        pipe(p, response);
    }

    void printLabelSafe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String printer = request.getParameter("printer");
        if (!PRINTERS.contains(printer)) {
            response.sendError(400);
            return;
        }
        String label = FilenameUtils.getName(request.getParameter("label"));
        // safe: CWE-78
        Process p = new ProcessBuilder("lp", "-d", printer, LABEL_DIR.resolve(label).toString()).start();
        pipe(p, response);
    }

    void archiveDaySafe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String day = request.getParameter("day");
        if (day == null || !DAY.matcher(day).matches()) {
            response.sendError(400);
            return;
        }
        // safe: CWE-78
        Process p = new ProcessBuilder("tar", "czf", "-", MANIFEST_DIR + "/" + day).start();
        pipe(p, response);
    }

    void diskFree(HttpServletResponse response) throws IOException {
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "df -h /data | tail -1"});
        pipe(p, response);
    }

    void resizeSafe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int size = Integer.parseInt(request.getParameter("size"));
        // safe: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"convert", "/data/labels/latest.png", "-resize", Integer.toString(size), "png:-"});
        pipe(p, response);
    }

    void manifest(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        // vuln: CWE-22
        Files.copy(Paths.get(MANIFEST_DIR + "/" + name), response.getOutputStream());
    }

    void uploadLabel(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        Part part = request.getPart("label");
        // vuln: CWE-22
        try (OutputStream out = new FileOutputStream(new File(LABEL_DIR.toFile(), part.getSubmittedFileName()))) {
            part.getInputStream().transferTo(out);
        }
    }

    void removeManifest(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Path target = Paths.get(MANIFEST_DIR).resolve(request.getParameter("name"));
        // vuln: CWE-22
        Files.deleteIfExists(target);
    }

    void labelPreview(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String label = request.getHeader("X-Label");
        // vuln: CWE-22
        byte[] data = Files.readAllBytes(LABEL_DIR.resolve(label + ".png"));
        response.getOutputStream().write(data);
    }

    void manifestSafe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Path base = Paths.get(MANIFEST_DIR).toRealPath();
        Path target = base.resolve(request.getParameter("name")).toRealPath();
        if (!target.startsWith(base)) {
            response.sendError(403);
            return;
        }
        // safe: CWE-22
        Files.copy(target, response.getOutputStream());
    }

    void uploadLabelSafe(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        Part part = request.getPart("label");
        String fileName = Paths.get(part.getSubmittedFileName()).getFileName().toString();
        // safe: CWE-22
        try (OutputStream out = new FileOutputStream(new File(LABEL_DIR.toFile(), fileName))) {
            part.getInputStream().transferTo(out);
        }
    }

    void removeManifestSafe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = FilenameUtils.getName(request.getParameter("name"));
        // safe: CWE-22
        Files.deleteIfExists(Paths.get(MANIFEST_DIR, name));
    }

    void labelById(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long id = Long.parseLong(request.getParameter("id"));
        // safe: CWE-22
        byte[] data = Files.readAllBytes(LABEL_DIR.resolve("label-" + id + ".png"));
        response.getOutputStream().write(data);
    }
}
