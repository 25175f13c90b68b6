package edu.uniplatform.lms;

import com.google.gson.Gson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.HtmlUtils;

@RestController
@RequestMapping("/lms")
public class LmsIntegrationController {

    private static final Set<String> TRUSTED_LMS_HOSTS = Set.of("canvas.uniplatform.edu", "moodle.uniplatform.edu", "lti.uniplatform.edu");

    private static final Map<String, String> TENANT_ENDPOINTS = Map.of(
            "canvas", "https://canvas.uniplatform.edu/api/v1/health",
            "moodle", "https://moodle.uniplatform.edu/webservice/rest/server.php?wsfunction=core_webservice_get_site_info",
            "panopto", "https://uniplatform.hosted.panopto.com/Panopto/api/v1/health");

    private static final Map<String, String> POST_LOGIN_PAGES = Map.of(
            "grades", "/student/grades",
            "library", "/library/loans",
            "payments", "/tuition/balance");

    private final RestTemplate restTemplate;
    private final WebClient webClient;
    private final HttpClient httpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SsoTokenVerifier tokenVerifier;
    private final Gson gson = new Gson();

    public LmsIntegrationController(RestTemplate restTemplate, WebClient.Builder webClientBuilder, SsoTokenVerifier tokenVerifier) {
        this.restTemplate = restTemplate;
        this.webClient = webClientBuilder.build();
        this.tokenVerifier = tokenVerifier;
    }

    @GetMapping(value = "/announcements/feed", produces = MediaType.APPLICATION_XML_VALUE)
    public byte[] courseFeed(@RequestParam("feedUrl") String feedUrl) throws IOException {
        // vuln: CWE-918
        try (InputStream in = new URL(feedUrl).openStream()) {
            return in.readAllBytes();
        }
    }

    @PostMapping("/lti/register")
    public ResponseEntity<String> registerTool(@RequestBody LtiRegistration registration) {
        // vuln: CWE-918
        String toolConfig = restTemplate.getForObject(registration.getConfigurationUrl(), String.class);
        return ResponseEntity.ok(toolConfig);
    }

    @GetMapping("/courses/sync")
    public String syncCourses(@RequestHeader("X-Lms-Base-Url") String lmsBase) throws IOException, InterruptedException {
        String url = lmsBase + "/api/v1/courses?per_page=100";
        // vuln: CWE-918
        HttpResponse<String> response = httpClient.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    @GetMapping(value = "/profile/avatar", produces = MediaType.IMAGE_PNG_VALUE)
    public byte[] importAvatar(@RequestParam String avatarUrl) {
        // vuln: CWE-918
        return webClient.get().uri(avatarUrl).retrieve().bodyToMono(byte[].class).block(Duration.ofSeconds(10));
    }

    @GetMapping("/tenants/{tenantHost}/status")
    public int tenantStatus(@PathVariable String tenantHost) throws IOException {
        // vuln: CWE-918
        HttpURLConnection conn = (HttpURLConnection) new URL("https://" + tenantHost + "/api/lti/status").openConnection();
        conn.setConnectTimeout(3000);
        return conn.getResponseCode();
    }

    @GetMapping("/courses/{courseId}")
    public String courseDetails(@PathVariable String courseId) {
        // safe: CWE-918
        return restTemplate.getForObject("https://canvas.uniplatform.edu/api/v1/courses/{id}", String.class, courseId);
    }

    @GetMapping("/resources/preview")
    public ResponseEntity<String> previewResource(@RequestParam String resourceUrl) {
        URI uri = URI.create(resourceUrl);
        if (!"https".equals(uri.getScheme()) || uri.getUserInfo() != null || !TRUSTED_LMS_HOSTS.contains(uri.getHost())) {
            return ResponseEntity.badRequest().body("resource host not allowed");
        }
        // safe: CWE-918
        return ResponseEntity.ok(restTemplate.getForObject(uri, String.class));
    }

    @GetMapping("/tenants/health")
    public ResponseEntity<String> tenantHealth(@RequestParam String tenant) throws IOException, InterruptedException {
        String endpoint = TENANT_ENDPOINTS.get(tenant);
        if (endpoint == null) {
            return ResponseEntity.notFound().build();
        }
        // safe: CWE-918
        HttpResponse<String> response = httpClient.send(HttpRequest.newBuilder(URI.create(endpoint)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return ResponseEntity.status(response.statusCode()).body(response.body());
    }

    @GetMapping("/sso/discovery")
    public String ssoDiscovery() {
        // safe: CWE-918
        return webClient.get().uri("https://sso.uniplatform.edu/.well-known/openid-configuration").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(5));
    }

    @PostMapping("/sso/callback")
    public void ssoCallback(@RequestParam("id_token") String idToken, @RequestParam("RelayState") String relayState, HttpServletRequest request, HttpServletResponse response) throws IOException {
        SsoPrincipal principal = tokenVerifier.verify(idToken);
        HttpSession session = request.getSession(true);
        // safe: CWE-501
        session.setAttribute("campusUser", principal.getSubject());
        Cookie sso = new Cookie("CAMPUS_SSO", principal.getSessionToken());
        sso.setHttpOnly(true);
        sso.setPath("/");
        sso.setMaxAge(8 * 3600);
        // vuln: CWE-614
        response.addCookie(sso);
        // vuln: CWE-601
        response.sendRedirect(relayState);
    }

    @PostMapping("/sso/callback/v2")
    public void ssoCallbackHardened(@RequestParam("id_token") String idToken, @RequestParam("target") String target, HttpServletRequest request, HttpServletResponse response) throws IOException {
        SsoPrincipal principal = tokenVerifier.verify(idToken);
        request.changeSessionId();
        request.getSession().setAttribute("campusUser", principal.getSubject());
        Cookie sso = new Cookie("CAMPUS_SSO", principal.getSessionToken());
        sso.setHttpOnly(true);
        sso.setSecure(true);
        sso.setPath("/");
        // safe: CWE-614
        response.addCookie(sso);
        // safe: CWE-601
        response.sendRedirect(POST_LOGIN_PAGES.getOrDefault(target, "/student/home"));
    }

    @GetMapping("/sso/logout")
    public void logout(@RequestParam(value = "post_logout_redirect_uri", required = false) String postLogout, HttpServletResponse response) throws IOException {
        if (postLogout != null) {
            URI uri = URI.create(postLogout);
            if ("https".equals(uri.getScheme()) && TRUSTED_LMS_HOSTS.contains(uri.getHost())) {
                // safe: CWE-601
                response.sendRedirect(uri.toString());
                return;
            }
        }
        response.sendRedirect("/");
    }

    @PostMapping("/lti/launch")
    public ResponseEntity<String> ltiLaunch(@RequestBody Map<String, String> launch, HttpSession session) {
        // vuln: CWE-501
        session.setAttribute("ltiContextId", launch.get("context_id"));
        // vuln: CWE-1004
        ResponseCookie cookie = ResponseCookie.from("LTI_SESSION", session.getId()).path("/lms").secure(true).sameSite("None").build();
        return ResponseEntity.ok().header(HttpHeaders.SET_COOKIE, cookie.toString()).body("launched");
    }

    @PostMapping("/lti/launch/v2")
    public ResponseEntity<String> ltiLaunchHardened(@RequestBody Map<String, String> launch, HttpSession session) {
        // safe: CWE-1004
        ResponseCookie cookie = ResponseCookie.from("LTI_SESSION", session.getId()).path("/lms").httpOnly(true).secure(true).sameSite("None").build();
        return ResponseEntity.ok().header(HttpHeaders.SET_COOKIE, cookie.toString()).body("launched");
    }

    @GetMapping("/proxy/whoami")
    public String proxiedUser(@RequestHeader("X-Forwarded-User") String forwardedUser, HttpServletRequest request) {
        // vuln: CWE-501
        request.getSession().setAttribute("campusUser", forwardedUser);
        return "ok";
    }

    @GetMapping("/state/restore")
    public String restoreState(@CookieValue("lms_state") String state) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getDecoder().decode(state);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(raw))) {
            // vuln: CWE-502
            LmsState restored = (LmsState) in.readObject();
            return restored.getLastCourseId();
        }
    }

    @GetMapping("/state/restore/v2")
    public String restoreStateJson(@CookieValue("lms_state") String state) {
        String json = new String(Base64.getUrlDecoder().decode(state), StandardCharsets.UTF_8);
        // safe: CWE-502
        LmsState restored = gson.fromJson(json, LmsState.class);
        return restored.getLastCourseId();
    }

    @GetMapping(value = "/widget/course-title", produces = MediaType.TEXT_HTML_VALUE)
    public String courseTitleWidget(@RequestParam String title, @RequestParam String instructor) {
        // vuln: CWE-79
        return "<div class=\"lms-widget\"><h3>" + title + "</h3><p>Instructor: " + instructor + "</p></div>";
    }

    @GetMapping(value = "/widget/course-title/v2", produces = MediaType.TEXT_HTML_VALUE)
    public String courseTitleWidgetEscaped(@RequestParam String title, @RequestParam String instructor) {
        // safe: CWE-79
        return "<div class=\"lms-widget\"><h3>" + HtmlUtils.htmlEscape(title) + "</h3><p>Instructor: " + HtmlUtils.htmlEscape(instructor) + "</p></div>";
    }
}
