package com.tixhub.promoter.web;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

import org.apache.commons.io.FilenameUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.util.UriComponentsBuilder;

import com.tixhub.promoter.PromoterAccount;
import com.tixhub.promoter.PromoterService;
import com.tixhub.promoter.dto.EventDraft;

/**
 * Promoter portal: event set-up, artwork uploads, guest lists, onboarding redirects.
 */
@Controller
@RequestMapping("/promoter")
public class PromoterPortalController {

    private static final List<String> TRUSTED_RETURN_HOSTS = List.of("promoters.tixhub.com", "tixhub.com");

    @Value("${tixhub.storage.artwork-dir:/srv/tixhub/artwork}")
    private String artworkDir;

    @Value("${tixhub.storage.guestlists-dir:/srv/tixhub/guestlists}")
    private String guestListDir;

    private final PromoterService promoters;

    public PromoterPortalController(PromoterService promoters) {
        this.promoters = promoters;
    }

    @PostMapping("/events/{eventId}/artwork")
    @ResponseBody
    public ResponseEntity<String> uploadArtwork(@PathVariable long eventId, @RequestParam("file") MultipartFile file) throws IOException {
        String original = file.getOriginalFilename();
        File target = new File(artworkDir + File.separator + eventId, original);
        target.getParentFile().mkdirs();
        // vuln: CWE-22
        file.transferTo(target);
        return ResponseEntity.ok("/artwork/" + eventId + "/" + original);
    }

    @PostMapping("/events/{eventId}/banner")
    @ResponseBody
    public ResponseEntity<String> uploadBanner(@PathVariable long eventId, @RequestParam("file") MultipartFile file) throws IOException {
        String ext = FilenameUtils.getExtension(file.getOriginalFilename()).toLowerCase();
        if (!List.of("png", "jpg", "jpeg", "webp").contains(ext)) {
            return ResponseEntity.badRequest().body("unsupported image type");
        }
        String stored = UUID.randomUUID() + "." + ext;
        Path dest = Paths.get(artworkDir, String.valueOf(eventId), stored);
        Files.createDirectories(dest.getParent());
        // safe: CWE-22
        Files.copy(file.getInputStream(), dest, StandardCopyOption.REPLACE_EXISTING);
        return ResponseEntity.ok("/artwork/" + eventId + "/" + stored);
    }

    @GetMapping("/guestlists/download")
    public ResponseEntity<Resource> downloadGuestList(@RequestParam("list") String fileName, HttpSession session) {
        PromoterAccount me = (PromoterAccount) session.getAttribute("promoter");
        Path listPath = Paths.get(guestListDir, me.getSlug(), fileName);
        // vuln: CWE-22
        Resource body = new FileSystemResource(listPath);
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + listPath.getFileName() + "\"")
                .body(body);
    }

    @GetMapping("/guestlists/archive")
    public void archivedGuestList(@RequestParam("name") String name, HttpSession session, HttpServletResponse response) throws IOException {
        PromoterAccount me = (PromoterAccount) session.getAttribute("promoter");
        Path base = Paths.get(guestListDir, me.getSlug(), "archive").toAbsolutePath().normalize();
        Path requested = base.resolve(name).normalize();
        if (!requested.startsWith(base)) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        response.setContentType("text/csv");
        // safe: CWE-22
        try (InputStream in = Files.newInputStream(requested)) {
            in.transferTo(response.getOutputStream());
        }
    }

    @GetMapping("/events/{eventId}/seatmap")
    public void seatMap(@PathVariable long eventId, @RequestParam("layout") String layout, HttpServletResponse response) throws IOException {
        response.setContentType("image/svg+xml");
        // vuln: CWE-22
        try (FileInputStream in = new FileInputStream("/srv/tixhub/seatmaps/" + eventId + "/" + layout + ".svg")) {
            in.transferTo(response.getOutputStream());
        }
    }

    @GetMapping("/events/{eventId}/floorplan")
    public void floorPlan(@PathVariable long eventId, @RequestParam("layout") String layout, HttpServletResponse response) throws IOException {
        String safeName = FilenameUtils.getName(layout);
        response.setContentType("image/svg+xml");
        // safe: CWE-22
        try (FileInputStream in = new FileInputStream(new File("/srv/tixhub/seatmaps/" + eventId, safeName + ".svg"))) {
            in.transferTo(response.getOutputStream());
        }
    }

    @PostMapping("/events/draft")
    @ResponseBody
    public ResponseEntity<Void> saveDraft(@RequestBody EventDraft draft, HttpServletRequest request) {
        HttpSession session = request.getSession();
        // vuln: CWE-501
        session.setAttribute("draftVenueId", draft.getVenueId());
        PromoterAccount me = (PromoterAccount) session.getAttribute("promoter");
        long draftId = promoters.saveDraft(me.getId(), draft);
        // safe: CWE-501
        session.setAttribute("lastDraftId", draftId);
        return ResponseEntity.status(HttpStatus.CREATED).build();
    }

    @PostMapping("/switch-account")
    public String switchAccount(@RequestParam("account") String accountSlug, HttpSession session) {
        PromoterAccount me = (PromoterAccount) session.getAttribute("promoter");
        PromoterAccount target = promoters.findManagedAccount(me.getId(), accountSlug);
        if (target != null) {
            // safe: CWE-501
            session.setAttribute("activeAccount", target.getSlug());
        }
        return "redirect:/promoter/dashboard";
    }

    @GetMapping("/onboarding/done")
    public String onboardingDone(@RequestParam(value = "continue", defaultValue = "/promoter/dashboard") String next) {
        // vuln: CWE-601
        return "redirect:" + next;
    }

    @GetMapping("/payouts/connected")
    public ModelAndView payoutConnected(@RequestParam("return_to") String returnTo) {
        URI uri = URI.create(returnTo);
        String target = "/promoter/payouts";
        if (uri.getHost() != null && TRUSTED_RETURN_HOSTS.contains(uri.getHost().toLowerCase()) && "https".equals(uri.getScheme())) {
            target = uri.toString();
        }
        // safe: CWE-601
        return new ModelAndView("redirect:" + target);
    }

    @GetMapping("/login/sso-return")
    public void ssoReturn(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String relayState = request.getParameter("RelayState");
        // vuln: CWE-601
        response.sendRedirect(relayState);
    }

    @GetMapping("/events/{eventId}/preview")
    public ResponseEntity<Void> preview(@PathVariable long eventId, @RequestParam("tab") String tab) {
        String path = UriComponentsBuilder.fromPath("/promoter/events/{id}/preview/{tab}").buildAndExpand(eventId, tab).encode().toUriString();
        // safe: CWE-601
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(path)).build();
    }
}
