package com.tixhub.doors;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.owasp.encoder.Encode;

import com.tixhub.doors.GateAssignment;
import com.tixhub.doors.ScanRecord;
import com.tixhub.doors.ScanRepository;
import com.tixhub.doors.Ticket;

/**
 * Door-scanning handhelds: device pairing, ticket scans, gate assignments and the live dashboard.
 */
@WebServlet(urlPatterns = {"/doors/*"})
public class DoorScanServlet extends HttpServlet {

    private static final String BARCODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static final SecureRandom SECURE_RANDOM = new SecureRandom();

    private ScanRepository scans;

    @Override
    public void init() throws ServletException {
        scans = (ScanRepository) getServletContext().getAttribute("scanRepository");
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        try {
            switch (path) {
                case "/pair" -> pairDevice(req, resp);
                case "/pair/v2" -> pairDeviceV2(req, resp);
                case "/scan" -> scan(req, resp);
                case "/reissue" -> reissueBarcode(req, resp);
                case "/reissue/v2" -> reissueBarcodeV2(req, resp);
                case "/gates/assign" -> assignGates(req, resp);
                default -> resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (NoSuchAlgorithmException e) {
            throw new ServletException(e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        try {
            if ("/dashboard".equals(path)) {
                dashboard(req, resp);
            } else if ("/gate".equals(path)) {
                gatePage(req, resp);
            } else if ("/gate/preview".equals(path)) {
                gatePreview(req, resp);
            } else {
                resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (NoSuchAlgorithmException e) {
            throw new ServletException(e);
        }
    }

    private void pairDevice(HttpServletRequest req, HttpServletResponse resp) throws IOException, NoSuchAlgorithmException {
        String deviceName = req.getParameter("device");
        String passcode = req.getParameter("passcode");
        // vuln: CWE-328
        String passHash = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(passcode.getBytes(StandardCharsets.UTF_8)));
        long seed = System.currentTimeMillis();
        // vuln: CWE-330
        String deviceToken = Long.toHexString(new Random(seed).nextLong());
        scans.registerDevice(deviceName, passHash, deviceToken);

        Cookie device = new Cookie("door_device", deviceToken);
        device.setPath("/doors");
        device.setMaxAge(60 * 60 * 24 * 7);
        device.setSecure(true);
        // vuln: CWE-1004
        resp.addCookie(device);
        resp.setStatus(HttpServletResponse.SC_CREATED);
    }

    private void pairDeviceV2(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String deviceName = req.getParameter("device");
        byte[] raw = new byte[32];
        SECURE_RANDOM.nextBytes(raw);
        // safe: CWE-330
        String deviceToken = HexFormat.of().formatHex(raw);
        scans.registerDevice(deviceName, null, deviceToken);

        Cookie device = new Cookie("door_device", deviceToken);
        device.setPath("/doors");
        device.setMaxAge(60 * 60 * 24 * 7);
        device.setSecure(true);
        device.setHttpOnly(true);
        // safe: CWE-1004
        resp.addCookie(device);

        Cookie gate = new Cookie("door_gate", req.getParameter("gate"));
        gate.setPath("/doors");
        gate.setHttpOnly(true);
        gate.setSecure(true);
        // safe: CWE-614
        resp.addCookie(gate);
        resp.setStatus(HttpServletResponse.SC_CREATED);
    }

    private void scan(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String barcode = req.getParameter("barcode");
        Ticket t = scans.lookup(barcode);
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        if (t == null) {
            // vuln: CWE-79
            out.write("<div class=\"scan reject\">Unknown ticket " + barcode + "</div>");
            return;
        }
        scans.record(new ScanRecord(t.getId(), req.getHeader("X-Gate")));
        // safe: CWE-79
        out.write("<div class=\"scan ok\">" + Encode.forHtml(t.getHolderName()) + " &middot; " + Encode.forHtml(barcode) + "</div>");

        Cookie last = new Cookie("door_last_scan", barcode);
        last.setPath("/doors");
        last.setHttpOnly(true);
        // vuln: CWE-614
        resp.addCookie(last);
    }

    private void reissueBarcode(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long ticketId = Long.parseLong(req.getParameter("ticket"));
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            // vuln: CWE-330
            code.append(BARCODE_ALPHABET.charAt(ThreadLocalRandom.current().nextInt(BARCODE_ALPHABET.length())));
        }
        scans.reissue(ticketId, code.toString());
        resp.getWriter().write(code.toString());
    }

    private void reissueBarcodeV2(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long ticketId = Long.parseLong(req.getParameter("ticket"));
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            // safe: CWE-330
            code.append(BARCODE_ALPHABET.charAt(SECURE_RANDOM.nextInt(BARCODE_ALPHABET.length())));
        }
        scans.reissue(ticketId, code.toString());
        resp.getWriter().write(code.toString());
    }

    private void assignGates(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long eventId = Long.parseLong(req.getParameter("event"));
        List<String> stewards = new ArrayList<>(scans.stewardsOnShift(eventId));
        // safe: CWE-330
        Collections.shuffle(stewards, new Random());
        List<GateAssignment> plan = scans.planGates(eventId, stewards);
        resp.setContentType("text/plain");
        resp.getWriter().write(plan.stream().map(GateAssignment::toString).collect(Collectors.joining("\n")));
    }

    private void dashboard(HttpServletRequest req, HttpServletResponse resp) throws IOException, NoSuchAlgorithmException {
        long eventId = Long.parseLong(req.getParameter("event"));
        List<ScanRecord> recent = scans.recent(eventId, 5000);
        List<ScanRecord> sample = new ArrayList<>();
        Random sampler = new Random();
        for (ScanRecord r : recent) {
            // safe: CWE-330
            if (sampler.nextDouble() < 0.05) {
                sample.add(r);
            }
        }
        String body = scans.renderThroughputChart(sample);
        // safe: CWE-328
        String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8))) + "\"";
        if (etag.equals(req.getHeader("If-None-Match"))) {
            resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        resp.setHeader("ETag", etag);
        resp.setContentType("text/html;charset=UTF-8");
        resp.getWriter().write(body);
    }

    private void gatePage(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String gate = null;
        if (req.getCookies() != null) {
            for (Cookie c : req.getCookies()) {
                if ("door_gate".equals(c.getName())) {
                    gate = c.getValue();
                }
            }
        }
        resp.setContentType("text/html;charset=UTF-8");
        // vuln: CWE-79
        resp.getWriter().format("<h1>Gate %s</h1><div id=\"scanner\"></div>", gate);
    }

    private void gatePreview(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String gate = req.getParameter("gate");
        resp.setContentType("text/html;charset=UTF-8");
        // safe: CWE-79
        resp.getWriter().format("<h1>Gate %s</h1><div id=\"scanner\"></div>", Encode.forHtmlContent(gate));
    }
}
