// Labelled cases for checks/semgrep_rules/taint/java.yml, and the Java part of the
// detection corpus: "ruleid:" marks a vulnerable line, "ok:" a safe look-alike.
package com.example.web;

import java.io.*;
import java.net.*;
import java.nio.file.*;
import java.security.SecureRandom;
import java.sql.*;
import java.util.*;
import javax.crypto.Cipher;
import javax.naming.directory.*;
import javax.script.*;
import javax.servlet.http.*;
import javax.xml.parsers.*;
import javax.xml.xpath.*;
import org.apache.commons.io.FilenameUtils;
import org.springframework.web.bind.annotation.*;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.util.HtmlUtils;

@RestController
public class Handlers {
    private Connection connection;
    private DirContext directory;
    private XPath xpath;
    private Document catalog;
    private RestTemplate rest = new RestTemplate();
    private static final Set<String> ALLOWED_FILES = Set.of("terms.pdf", "privacy.pdf");
    private static final Set<String> ALLOWED_REDIRECTS = Set.of("/home", "/account");

    // --- SQL injection (CWE-89) -----------------------------------------------------------
    public ResultSet findOrders(String customer) throws SQLException {
        Statement statement = connection.createStatement();
        // ruleid: java-sql-injection
        return statement.executeQuery("SELECT * FROM orders WHERE customer = '" + customer + "'");
    }

    public ResultSet findOrdersSafe(String customer) throws SQLException {
        // ok: java-sql-injection
        PreparedStatement statement = connection.prepareStatement("SELECT * FROM orders WHERE customer = ?");
        statement.setString(1, customer);
        return statement.executeQuery();
    }

    public void users(HttpServletRequest request) throws SQLException {
        String name = request.getParameter("name");
        Statement statement = connection.createStatement();
        // ruleid: java-sql-injection
        statement.execute("DELETE FROM users WHERE name = '" + name + "'");
        int limit = Integer.parseInt(request.getParameter("limit"));
        // ok: java-sql-injection
        statement.execute("SELECT * FROM users LIMIT " + limit);
    }

    // --- Command injection (CWE-78) -------------------------------------------------------
    public void ping(HttpServletRequest request) throws IOException {
        String host = request.getParameter("host");
        // ruleid: java-command-injection
        Runtime.getRuntime().exec("ping -c 1 " + host);
        // ok: java-command-injection
        new ProcessBuilder("ping", "-c", "1", host).start();
        // ok: java-command-injection
        Runtime.getRuntime().exec("uptime");
    }

    // --- Code injection (CWE-95) ----------------------------------------------------------
    @GetMapping("/calc")
    public Object calc(@RequestParam String expr) throws ScriptException {
        ScriptEngine engine = new ScriptEngineManager().getEngineByName("js");
        // ruleid: java-code-injection
        Object result = engine.eval(expr);
        // ok: java-code-injection
        Object fixed = engine.eval("1 + 2");
        return List.of(result, fixed);
    }

    // --- LDAP injection (CWE-90) ----------------------------------------------------------
    public Object lookup(HttpServletRequest request) throws Exception {
        String user = request.getParameter("user");
        SearchControls controls = new SearchControls();
        // ruleid: java-ldap-injection
        Object found = directory.search("dc=example", "(uid=" + user + ")", controls);
        // ok: java-ldap-injection
        Object same = directory.search("dc=example", "(uid={0})", new Object[] {user}, controls);
        return List.of(found, same);
    }

    // --- XPath injection (CWE-643) --------------------------------------------------------
    public Object books(HttpServletRequest request) throws Exception {
        String title = request.getParameter("title");
        // ruleid: java-xpath-injection
        Object found = xpath.evaluate("//book[title='" + title + "']", catalog);
        // ok: java-xpath-injection
        Object all = xpath.evaluate("//book", catalog);
        return List.of(found, all);
    }

    // --- Path traversal (CWE-22) ----------------------------------------------------------
    @GetMapping("/download")
    public byte[] download(@RequestParam("file") String name) throws IOException {
        // ruleid: java-path-traversal
        return Files.readAllBytes(Paths.get("/srv/files", name));
    }

    @GetMapping("/download-safe")
    public byte[] downloadSafe(@RequestParam("file") String name) throws IOException {
        String base = FilenameUtils.getName(name);
        // ok: java-path-traversal
        byte[] data = Files.readAllBytes(Paths.get("/srv/files", base));
        if (ALLOWED_FILES.contains(name)) {
            // ok: java-path-traversal
            return Files.readAllBytes(Paths.get("/srv/docs", name));
        }
        return data;
    }

    // --- Open redirect (CWE-601) ----------------------------------------------------------
    public void loginDone(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String next = request.getParameter("next");
        if (ALLOWED_REDIRECTS.contains(next)) {
            // ok: java-open-redirect
            response.sendRedirect(next);
            return;
        }
        // ruleid: java-open-redirect
        response.sendRedirect(next);
    }

    // --- Cross-site scripting (CWE-79) ----------------------------------------------------
    public void hello(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        PrintWriter out = response.getWriter();
        // ruleid: java-xss
        out.println("<h1>Hello " + name + "</h1>");
        // ok: java-xss
        out.println("<h1>Hello " + HtmlUtils.htmlEscape(name) + "</h1>");
    }

    // --- XML external entities (CWE-611) --------------------------------------------------
    public void parse(InputStream xml) throws Exception {
        // ruleid: java-xxe
        SAXParserFactory factory = SAXParserFactory.newInstance();
        // ruleid: java-xxe-parse
        factory.newSAXParser().parse(xml, new org.xml.sax.helpers.DefaultHandler());
    }

    public void parseSafe(InputStream xml) throws Exception {
        // ok: java-xxe
        SAXParserFactory factory = SAXParserFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.newSAXParser().parse(xml, new org.xml.sax.helpers.DefaultHandler());
    }

    // --- Insecure deserialization (CWE-502) -----------------------------------------------
    public Object restore(HttpServletRequest request) throws Exception {
        ObjectInputStream in = new ObjectInputStream(request.getInputStream());
        // ruleid: java-insecure-deserialization
        return in.readObject();
    }

    public Object restoreFiltered(HttpServletRequest request) throws Exception {
        ObjectInputStream in = new ObjectInputStream(request.getInputStream());
        in.setObjectInputFilter(ObjectInputFilter.Config.createFilter("com.example.Prefs;!*"));
        // ok: java-insecure-deserialization
        return in.readObject();
    }

    // --- Server-side request forgery (CWE-918) --------------------------------------------
    @GetMapping("/preview")
    public String preview(@RequestParam String url, @RequestParam String user) {
        // ruleid: java-ssrf
        String page = rest.getForObject(url, String.class);
        // ok: java-ssrf
        String profile = rest.getForObject("https://api.example.com/users/" + user, String.class);
        return page + profile;
    }

    // --- Trust boundary violation (CWE-501) -----------------------------------------------
    public void prefs(HttpServletRequest request) {
        HttpSession session = request.getSession();
        // ruleid: java-trust-boundary-violation
        session.setAttribute("role", request.getParameter("role"));
        // ok: java-trust-boundary-violation
        session.setAttribute("page", Integer.parseInt(request.getParameter("page")));
    }

    // --- Weak cryptography (CWE-327) ------------------------------------------------------
    public Cipher[] ciphers() throws Exception {
        // ruleid: java-weak-cipher
        Cipher legacy = Cipher.getInstance("DES/CBC/PKCS5Padding");
        // ruleid: java-weak-cipher
        Cipher ecb = Cipher.getInstance("AES/ECB/PKCS5Padding");
        // ok: java-weak-cipher
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        return new Cipher[] {legacy, ecb, gcm};
    }

    // --- Weak randomness in a security context (CWE-330) ----------------------------------
    public String newResetToken() {
        // ruleid: java-weak-random-security
        long resetToken = new Random().nextLong();
        // ok: java-weak-random-security
        long sessionToken = new SecureRandom().nextLong();
        // ok: java-weak-random-security
        int retryDelay = new Random().nextInt(100);
        return resetToken + ":" + sessionToken + ":" + retryDelay;
    }

    // --- Insecure cookie (CWE-614) --------------------------------------------------------
    public void startSession(HttpServletResponse response) {
        Cookie plain = new Cookie("sid", "x");
        // ruleid: java-insecure-cookie
        response.addCookie(plain);
        Cookie hardened = new Cookie("sid2", "y");
        hardened.setSecure(true);
        hardened.setHttpOnly(true);
        // ok: java-insecure-cookie
        response.addCookie(hardened);
    }

    // --- Hard-coded secret (CWE-798) ------------------------------------------------------
    // ruleid: java-hardcoded-secret
    private static final String STRIPE_API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    // ok: java-hardcoded-secret
    private static final String GITHUB_TOKEN = System.getenv("GITHUB_TOKEN");
    // ok: java-hardcoded-secret
    private static final String PASSWORD_FIELD = "password";
}

// --- Generalisation cases (issue 15) ----------------------------------------------------------
class GeneralisationCases {
    private static final Map<String, String> SORTABLE = Map.of("name", "name");
    private static final Set<String> THEMES = Set.of("light", "dark");
    private static final Random RANDOM = new Random();
    private LdapTemplate ldapTemplate;
    private XPath xpath;
    private Document orgChart;
    private RestTemplate rest;
    private DataSource dataSource;

    ResultSet productsByBrand(Connection conn, String brand) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT id FROM products WHERE brand = '");
        sql.append(brand).append("'");
        // ruleid: java-sql-injection
        return conn.createStatement().executeQuery(sql.toString());
    }

    ResultSet sorted(HttpServletRequest request, Statement stmt) throws SQLException {
        String order = SORTABLE.getOrDefault(request.getParameter("order"), "name");
        // ok: java-sql-injection
        return stmt.executeQuery("SELECT id FROM products ORDER BY " + order);
    }

    @GetMapping("/whois")
    public void whois(@RequestHeader("X-Domain") String domain) throws IOException {
        ProcessBuilder pb = new ProcessBuilder();
        // ruleid: java-command-injection
        pb.command("cmd.exe", "/c", "whois " + domain);
        // ok: java-command-injection
        new ProcessBuilder(List.of("whois", domain)).start();
    }

    @PostMapping("/groovy")
    public Object groovy(@RequestBody Map<String, String> body) {
        GroovyShell shell = new GroovyShell();
        // ruleid: java-code-injection
        return shell.evaluate("def price = 10\n" + body.get("script"));
    }

    @GetMapping("/mvel")
    public Object mvel(@RequestParam int quantity) {
        // ok: java-code-injection
        return MVEL.eval("quantity * 2", Map.of("quantity", quantity));
    }

    List<Object> groupMembers(String group) {
        // ruleid: java-ldap-injection
        return ldapTemplate.search("ou=groups", "(cn=" + group + ")", (Attributes attrs) -> attrs.get("member").get());
    }

    List<Object> groupMembersSafe(String group) {
        // ok: java-ldap-injection
        return ldapTemplate.search("ou=groups", new EqualsFilter("cn", group).encode(), (Attributes attrs) -> attrs.get("member").get());
    }

    String phone(String name) throws XPathExpressionException {
        String expr = String.format("string(//employee[@name=\"%s\"]/phone)", name);
        // ruleid: java-xpath-injection
        return (String) xpath.evaluate(expr, orgChart, XPathConstants.STRING);
    }

    NodeList floor(HttpServletRequest request) throws XPathExpressionException {
        int floor = Integer.parseInt(request.getParameter("floor"));
        // ok: java-xpath-injection
        return (NodeList) xpath.evaluate("//employee[@floor=" + floor + "]", orgChart, XPathConstants.NODESET);
    }

    @GetMapping("/reports")
    public byte[] report(@RequestParam("name") String name, @PathVariable long id) throws IOException {
        // ruleid: java-path-traversal
        byte[] data = Files.readAllBytes(REPORT_DIR.resolve(name));
        // ok: java-path-traversal
        new FileInputStream("/srv/exports/export-" + id + ".csv");
        String safeName = new File(name).getName();
        // ok: java-path-traversal
        return Files.readAllBytes(REPORT_DIR.resolve(safeName));
    }

    @DeleteMapping("/uploads")
    public void deleteUpload(@RequestParam String path) {
        // ruleid: java-path-traversal
        File target = new File(UPLOAD_DIR + "/" + path);
        // ruleid: java-path-traversal
        target.delete();
    }

    @GetMapping("/sso/return")
    public void ssoReturn(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // ruleid: java-open-redirect
        response.setHeader("Location", request.getParameter("RelayState"));
        String next = request.getParameter("next");
        if (!next.startsWith("/") || next.startsWith("//")) {
            next = "/";
        }
        // ok: java-open-redirect
        response.sendRedirect(next);
    }

    protected void search(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String q = request.getParameter("q");
        PrintWriter out = response.getWriter();
        // ruleid: java-xss
        out.printf("<p>No results for <b>%s</b></p>", q);
    }

    protected void notFound(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        // ok: java-xss
        response.getWriter().write("Nothing lives at " + request.getPathInfo());
    }

    private int partnerStatus(String host) throws IOException {
        // ruleid: java-ssrf
        URL url = new URL("http://" + host + "/healthz");
        // ruleid: java-ssrf
        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        return conn.getResponseCode();
    }

    @GetMapping("/rates/{currency}")
    public String rates(@PathVariable String currency) {
        String url = UriComponentsBuilder.fromHttpUrl(RATES_API).path("/v1/rates/{c}").buildAndExpand(currency).toUriString();
        // ok: java-ssrf
        return rest.getForObject(url, String.class);
    }

    @GetMapping("/theme/{theme}")
    public String theme(@PathVariable String theme, @RequestParam("team") long teamId, HttpSession session) {
        // ok: java-trust-boundary-violation
        session.setAttribute("theme", THEMES.contains(theme) ? theme : "light");
        // ok: java-trust-boundary-violation
        session.setAttribute("teamId", teamId);
        // ruleid: java-trust-boundary-violation
        session.setAttribute("role", theme);
        return "redirect:/settings";
    }

    public static String oneTimeLoginCode() {
        // ruleid: java-weak-random-security
        return String.format("%06d", RANDOM.nextInt(1_000_000));
    }

    public static String sessionNonce() {
        // ruleid: java-weak-random-security
        return Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    public static long retryJitter() {
        // ok: java-weak-random-security
        return ThreadLocalRandom.current().nextLong(100, 500);
    }

    public void sessionHint(HttpServletResponse response) {
        // ruleid: java-insecure-cookie
        response.addHeader(HttpHeaders.SET_COOKIE, ResponseCookie.from("hint", "x").path("/").build().toString());
        // ok: java-insecure-cookie
        response.addHeader(HttpHeaders.SET_COOKIE, ResponseCookie.from("hint", "x").secure(true).httpOnly(true).build().toString());
    }

    public DataSource dataSource() {
        // ruleid: java-hardcoded-secret
        return DataSourceBuilder.create().username("storefront").password("Hq4vN8rT2mXz6p").build();
    }

    public DataSource dataSourceFromEnv() {
        // ok: java-hardcoded-secret
        return DataSourceBuilder.create().username("storefront").password(System.getenv("DB_PASSWORD")).build();
    }

    public int importPrices(HttpServletRequest request) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        DocumentBuilder builder = dbf.newDocumentBuilder();
        // ruleid: java-xxe-parse
        Document doc = builder.parse(request.getInputStream());
        return doc.getLength();
    }

    public int importPricesSafe(HttpServletRequest request) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        // ok: java-xxe-parse
        Document doc = dbf.newDocumentBuilder().parse(request.getInputStream());
        return doc.getLength();
    }

    public Object readDocument(InputStream in) throws Exception {
        SAXReader reader = new SAXReader();
        // ruleid: java-xxe-parse
        return reader.read(in);
    }

    public Object createJob(@RequestBody String definition) {
        Yaml yaml = new Yaml();
        // ruleid: java-insecure-deserialization
        return yaml.load(definition);
    }

    public Object createJobSafe(@RequestBody String definition) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        // ok: java-insecure-deserialization
        return yaml.load(definition);
    }
}

@RestController
class HtmlPagesController {
    @GetMapping(value = "/greet", produces = MediaType.TEXT_HTML_VALUE)
    public String greet(@RequestParam String name) {
        // ruleid: java-xss
        return "<h1>Hello " + name + "</h1>";
    }

    @PostMapping(value = "/note", produces = "text/html;charset=UTF-8")
    public String note(@RequestParam String note) {
        String html = String.format("<li>%s</li>", note);
        // ruleid: java-xss
        return html;
    }

    @GetMapping(value = "/note/safe", produces = "text/html")
    public String noteSafe(@RequestParam String note) {
        // ok: java-xss
        return "<li>" + HtmlUtils.htmlEscape(note) + "</li>";
    }

    @GetMapping("/profile")
    public Map<String, String> profile(@RequestParam String name) {
        // ok: java-xss
        return Map.of("name", name);
    }
}

class LegacyDigests {
    String storePassword(String salt, String password) {
        // ruleid: java-weak-hash
        return "sha1$" + salt + "$" + DigestUtils.sha1Hex(salt + password);
    }

    byte[] signDocument(byte[] key, byte[] document) throws Exception {
        // ruleid: java-weak-hash
        Mac mac = Mac.getInstance("HmacMD5");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacMD5"));
        return mac.doFinal(document);
    }

    String etagFor(byte[] body) {
        // ok: java-weak-hash
        return "\"" + DigestUtils.md5Hex(body) + "\"";
    }

    byte[] signDocumentSafe(byte[] key, byte[] document) throws Exception {
        // ok: java-weak-hash
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(document);
    }
}

@RestController
class PartnerProbeController {
    @GetMapping("/partners/probe")
    public boolean probe(@RequestHeader("X-Partner-Host") String host) throws IOException {
        try (Socket socket = new Socket()) {
            // ruleid: java-ssrf
            socket.connect(new InetSocketAddress(host, 443), 3000);
            return true;
        }
    }

    @GetMapping("/partners/probe/safe")
    public boolean probeSafe(@RequestParam int port) throws IOException {
        try (Socket socket = new Socket()) {
            // ok: java-ssrf
            socket.connect(new InetSocketAddress("partners.example.com", port), 3000);
            return true;
        }
    }

    @GetMapping(value = "/recipient", produces = "text/html")
    public String recipient(@CookieValue("recipient") String recipient) {
        StringBuilder sb = new StringBuilder("<p>Parcel for ");
        sb.append(recipient).append("</p>");
        // ruleid: java-xss
        return sb.toString();
    }
}

class PortalLoginServlet extends HttpServlet {
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String returnUrl = request.getParameter("returnUrl");
        URI uri = new URI(returnUrl == null ? "/portal/home" : returnUrl);
        String target = uri.getScheme() == null && uri.getRawAuthority() == null && uri.getRawPath().startsWith("/") && !uri.getRawPath().startsWith("//") ? uri.getRawPath() : "/portal/home";
        // ok: java-open-redirect
        response.sendRedirect(request.getContextPath() + target);
        String next = request.getParameter("next");
        // ruleid: java-open-redirect
        response.sendRedirect(next != null ? next : "/portal/home");
    }
}

// --- Servlet helpers, uploads, verified identities, cookie config (third round) ---------
class LibraryServlet extends HttpServlet {
    private static final Set<String> PARTNER_HOSTS = Set.of("books.example.org", "journals.example.org");
    private static final File SCANS = new File("/var/library/scans");
    private TicketVerifier verifier;
    private DirContext ldap;

    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String info = request.getPathInfo();
        if (info.startsWith("/book/")) {
            showBook(request, response, info.substring(6));
        }
    }

    private void showBook(HttpServletRequest request, HttpServletResponse response, String isbn) throws IOException {
        PrintWriter out = response.getWriter();
        // ruleid: java-xss
        out.println("<h2>No book " + isbn + "</h2>");
        // ok: java-xss
        out.println("<h2>No book " + Encode.forHtml(isbn) + "</h2>");
        // ok: java-xss
        out.printf("<a href=\"/loan?isbn=%s\">loan</a>", Encode.forUriComponent(isbn));
        // ruleid: java-path-traversal
        Files.readAllBytes(Paths.get("/var/library/covers/" + isbn + ".jpg"));
    }

    private static String cookieValue(HttpServletRequest request, String name) {
        for (Cookie c : request.getCookies()) {
            if (name.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }

    private void banner(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String reader = cookieValue(request, "reader");
        // ruleid: java-xss
        response.getWriter().write("<span>Welcome back, " + reader + "</span>");
        String lang = request.getParameter("lang");
        // ok: java-xss
        response.getWriter().write("<a href=\"/?lang=" + URLEncoder.encode(lang, "UTF-8") + "\">reload</a>");
    }

    private void scan(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // ruleid: java-path-traversal
        File wanted = new File(SCANS, request.getParameter("scan"));
        if (!wanted.getCanonicalPath().startsWith(SCANS.getCanonicalPath() + File.separator)) {
            response.sendError(403);
            return;
        }
        // ok: java-path-traversal
        try (InputStream in = new FileInputStream(wanted)) {
            in.transferTo(response.getOutputStream());
        }
        // ruleid: java-path-traversal
        try (InputStream in = new FileInputStream(new File(SCANS, request.getParameter("other")))) {
            in.transferTo(response.getOutputStream());
        }
    }

    private void upload(HttpServletRequest request) throws Exception {
        Part part = request.getPart("scan");
        // ruleid: java-path-traversal
        part.write("/var/library/uploads/" + part.getSubmittedFileName());
        // ok: java-path-traversal
        part.write("/var/library/uploads/" + UUID.randomUUID() + ".pdf");
        try (InputStream body = part.getInputStream()) {
            // ok: java-path-traversal
            Files.copy(body, Paths.get("/var/library/uploads", UUID.randomUUID().toString()));
        }
    }

    private void partnerReturn(HttpServletRequest request, HttpServletResponse response) throws Exception {
        URI back = new URI(request.getParameter("back"));
        if ("https".equals(back.getScheme()) && PARTNER_HOSTS.contains(back.getHost())) {
            // ok: java-open-redirect
            response.sendRedirect(back.toString());
        }
        // ruleid: java-open-redirect
        response.sendRedirect(request.getParameter("back"));
    }

    private void ticketLogin(HttpServletRequest request) throws Exception {
        Ticket ticket = verifier.verify(request.getParameter("ticket"));
        // ok: java-trust-boundary-violation
        request.getSession().setAttribute("reader", ticket.getReaderId());
        NamingEnumeration<SearchResult> hits = ldap.search("ou=people", "(uid={0})", new Object[] {request.getParameter("uid")}, new SearchControls());
        // ok: java-trust-boundary-violation
        request.getSession().setAttribute("readerDn", hits.next().getNameInNamespace());
        // ruleid: java-trust-boundary-violation
        request.getSession().setAttribute("claimedReader", request.getParameter("uid"));
    }

    private void readerCookie(HttpServletResponse response, String value) {
        Cookie cookie = new Cookie("reader", value);
        cookie.setHttpOnly(true);
        // ruleid: java-insecure-cookie
        cookie.setSecure(false);
        Cookie hardened = new Cookie("reader", value);
        // ok: java-insecure-cookie
        hardened.setSecure(true);
        hardened.setHttpOnly(true);
        response.addCookie(hardened);
    }
}

class LibrarySessionConfig {
    DefaultCookieSerializer lax() {
        DefaultCookieSerializer serializer = new DefaultCookieSerializer();
        // ruleid: java-insecure-cookie
        serializer.setUseHttpOnlyCookie(false);
        // ok: java-insecure-cookie
        serializer.setUseSecureCookie(true);
        return serializer;
    }

    Connection legacyCatalog() throws SQLException {
        // ruleid: java-hardcoded-secret
        return DriverManager.getConnection("jdbc:mysql://catalog/lib", "librarian", "sh3lf-M4rk!");
    }

    Connection catalog() throws SQLException {
        // ok: java-hardcoded-secret
        return DriverManager.getConnection("jdbc:mysql://catalog/lib", "librarian", System.getenv("CATALOG_PASSWORD"));
    }
}

class LibraryXml {
    String render(String xml) throws Exception {
        TransformerFactory factory = TransformerFactory.newInstance();
        Transformer transformer = factory.newTransformer();
        StringWriter out = new StringWriter();
        // ruleid: java-xxe-transformer
        transformer.transform(new StreamSource(new StringReader(xml)), new StreamResult(out));
        return out.toString();
    }

    String renderSafe(String xml) throws Exception {
        TransformerFactory factory = TransformerFactory.newInstance();
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        Transformer transformer = factory.newTransformer();
        StringWriter out = new StringWriter();
        // ok: java-xxe-transformer
        transformer.transform(new StreamSource(new StringReader(xml)), new StreamResult(out));
        return out.toString();
    }

    Object unmarshal(InputStream body) throws Exception {
        // ruleid: java-xxe
        XMLReader reader = SAXParserFactory.newInstance().newSAXParser().getXMLReader();
        SAXSource source = new SAXSource(reader, new InputSource(body));
        // ruleid: java-xxe-parse
        return JAXBContext.newInstance(Loan.class).createUnmarshaller().unmarshal(source);
    }

    Object unmarshalSafe(InputStream body) throws Exception {
        XMLReader reader = XMLReaderFactory.createXMLReader();
        reader.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        SAXSource source = new SAXSource(reader, new InputSource(body));
        // ok: java-xxe-parse
        return JAXBContext.newInstance(Loan.class).createUnmarshaller().unmarshal(source);
    }
}

// --- Chained builder appends, numeric values, application escaping helpers -------------------
class VenueServlet extends HttpServlet {
    private DataSource pool;
    private DirContext people;
    private XPath xp;
    private Document seating;

    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws Exception {
        String band = req.getParameter("band");
        StringBuilder sql = new StringBuilder("SELECT * FROM gigs WHERE 1 = 1");
        sql.append(" AND band = '").append(band).append("'");
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            // ruleid: java-sql-injection
            st.executeQuery(sql.toString());
        }
        StringBuilder fixed = new StringBuilder("SELECT * FROM gigs");
        fixed.append(" WHERE sold_out = ").append("false").append(" ORDER BY starts_at");
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            // ok: java-sql-injection
            st.executeQuery(fixed.toString());
        }

        StringBuilder who = new StringBuilder("(&(objectClass=person)");
        who.append("(sn=").append(req.getParameter("surname")).append(")").append(")");
        // ruleid: java-ldap-injection
        people.search("ou=crew", who.toString(), new SearchControls());
        // ok: java-ldap-injection
        people.search("ou=crew", "(sn=" + rfc4515Escape(req.getParameter("surname")) + ")", new SearchControls());

        StringBuilder path = new StringBuilder("/venue/row");
        path.append("[@id='").append(req.getParameter("row")).append("']");
        // ruleid: java-xpath-injection
        xp.evaluate(path.toString(), seating);

        resp.setContentType("text/html");
        PrintWriter out = resp.getWriter();
        StringBuilder card = new StringBuilder("<section>");
        card.append("<h2>").append(band).append("</h2>").append("</section>");
        // ruleid: java-xss
        out.print(card.toString());
        int seats = countSeats(band);
        boolean soldOut = seats == 0;
        // ok: java-xss
        out.print("<p>" + seats + " seats left, sold out: " + soldOut + "</p>");
        // ok: java-xss
        out.print("<h2>" + escapeHtml(band) + "</h2>");
        // ok: java-xss
        out.print("<h2>" + Markup.htmlEncode(band) + "</h2>");
    }

    private int countSeats(String band) { return band.length(); }

    private static String escapeHtml(String raw) {
        return raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String rfc4515Escape(String raw) {
        return raw.replace("\\", "\\5c").replace("*", "\\2a").replace("(", "\\28").replace(")", "\\29");
    }
}

// --- HTML bodies from Spring and JAX-RS -------------------------------------------------------
@RestController
class PosterController {
    @GetMapping("/poster")
    public ResponseEntity<String> poster(@RequestParam String headline) {
        // ruleid: java-xss
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body("<h1>" + headline + "</h1>");
    }

    @GetMapping("/poster/escaped")
    public ResponseEntity<String> posterEscaped(@RequestParam String headline) {
        // ok: java-xss
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body("<h1>" + HtmlUtils.htmlEscape(headline) + "</h1>");
    }

    @GetMapping("/poster.json")
    public ResponseEntity<String> posterJson(@RequestParam String headline) {
        // ok: java-xss
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(headline);
    }
}

@Path("/tickets")
class TicketResource {
    @GET
    @Produces(MediaType.TEXT_HTML)
    public String stub(@QueryParam("holder") String holder) {
        // ruleid: java-xss
        return "<p>Ticket for " + holder + "</p>";
    }

    @GET
    @Path("/plain")
    public Response plain(@QueryParam("holder") String holder) {
        // ruleid: java-xss
        return Response.ok("<p>" + holder + "</p>", MediaType.TEXT_HTML).build();
    }

    @GET
    @Path("/next")
    public Response next(@QueryParam("to") String to) {
        // ruleid: java-open-redirect
        return Response.seeOther(URI.create(to)).build();
    }
}

// --- Redirect checks -------------------------------------------------------------------------
@Controller
class CheckoutController {
    @GetMapping("/checkout/done")
    public String done(@RequestParam String step) {
        if ("receipt".equals(step) || "survey".equals(step)) {
            // ok: java-open-redirect
            return "redirect:/checkout/" + step;
        }
        // ruleid: java-open-redirect
        return "redirect:" + step;
    }

    @GetMapping("/checkout/back")
    public void back(@RequestParam String back, HttpServletResponse resp) throws IOException {
        String target = isSafeRedirect(back) ? back : "/checkout";
        // ok: java-open-redirect
        resp.sendRedirect(target);
    }

    @GetMapping("/checkout/continue")
    public ResponseEntity<Void> cont(@RequestParam String next) {
        if (!UrlChecks.isLocalPath(next)) {
            return ResponseEntity.badRequest().build();
        }
        // ok: java-open-redirect
        return ResponseEntity.status(HttpStatus.SEE_OTHER).header(HttpHeaders.LOCATION, next).build();
    }

    @GetMapping("/checkout/partner")
    public ResponseEntity<Void> partner(@RequestParam String next) {
        // ruleid: java-open-redirect
        return ResponseEntity.status(HttpStatus.FOUND).header(HttpHeaders.LOCATION, next).build();
    }

    private static boolean isSafeRedirect(String url) {
        return url != null && url.startsWith("/") && !url.startsWith("//");
    }
}

// --- Outbound requests -------------------------------------------------------------------------
@RestController
class WebhookTester {
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, String> partnerEndpoints;

    WebhookTester(Map<String, String> partnerEndpoints) {
        this.partnerEndpoints = partnerEndpoints;
    }

    @PostMapping("/webhooks/test")
    public int test(@RequestParam String target) throws Exception {
        // ruleid: java-ssrf
        HttpRequest ping = HttpRequest.newBuilder(URI.create(target)).POST(HttpRequest.BodyPublishers.noBody()).build();
        // ruleid: java-ssrf
        return http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @PostMapping("/webhooks/partner")
    public int partner(@RequestParam String partner) throws Exception {
        String endpoint = partnerEndpoints.get(partner);
        if (endpoint == null) {
            return 404;
        }
        HttpRequest ping = HttpRequest.newBuilder(URI.create(endpoint)).GET().build();
        // ok: java-ssrf
        return http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

// --- Archives and stored upload names ------------------------------------------------------------
@RestController
class MediaImport {
    private final File library = new File("/srv/media");

    @PostMapping("/media/bundle")
    public int unpack(@RequestParam("bundle") MultipartFile bundle) throws IOException {
        int n = 0;
        try (ZipInputStream zin = new ZipInputStream(bundle.getInputStream())) {
            ZipEntry item;
            while ((item = zin.getNextEntry()) != null) {
                // ruleid: java-path-traversal
                File dest = new File(library, item.getName());
                // ruleid: java-path-traversal
                try (OutputStream os = new FileOutputStream(dest)) {
                    zin.transferTo(os);
                }
                n++;
            }
        }
        return n;
    }

    @PostMapping("/media/bundle/checked")
    public int unpackChecked(@RequestParam("bundle") MultipartFile bundle) throws IOException {
        String root = library.getCanonicalPath() + File.separator;
        int n = 0;
        try (ZipInputStream zin = new ZipInputStream(bundle.getInputStream())) {
            ZipEntry item;
            while ((item = zin.getNextEntry()) != null) {
                // ruleid: java-path-traversal
                File dest = new File(library, item.getName());
                if (!dest.getCanonicalPath().startsWith(root)) {
                    throw new IOException("entry escapes the library");
                }
                // ok: java-path-traversal
                try (OutputStream os = new FileOutputStream(dest)) {
                    zin.transferTo(os);
                }
                n++;
            }
        }
        return n;
    }

    @PostMapping("/media/cover")
    public String cover(@RequestParam("cover") MultipartFile cover) throws IOException {
        String stored = UUID.randomUUID() + suffixFor(cover.getContentType());
        // ok: java-path-traversal
        cover.transferTo(library.toPath().resolve(stored));
        // ruleid: java-path-traversal
        cover.transferTo(library.toPath().resolve(cover.getOriginalFilename()));
        return stored;
    }

    private static String suffixFor(String type) {
        return "image/png".equals(type) ? ".png" : ".jpg";
    }
}

// --- Distinguished names -------------------------------------------------------------------------
@RestController
class CrewDirectory {
    private static final Set<String> TEAMS = Set.of("stage", "sound", "security");
    private DirContext ldapCtx;
    private LdapTemplate ldapTemplate;

    @GetMapping("/crew/{team}")
    public Object team(@PathVariable String team) throws NamingException {
        // ruleid: java-ldap-dn-injection
        return ldapCtx.search("ou=" + team + ",dc=venue,dc=org", "(objectClass=person)", new SearchControls());
    }

    @GetMapping("/crew/{team}/checked")
    public Object teamChecked(@PathVariable String team) throws NamingException {
        if (!TEAMS.contains(team)) {
            throw new IllegalArgumentException("unknown team");
        }
        // ok: java-ldap-dn-injection
        return ldapCtx.search("ou=" + team + ",dc=venue,dc=org", "(objectClass=person)", new SearchControls());
    }

    @GetMapping("/crew/member")
    public Object member(HttpServletRequest req) throws NamingException {
        // ruleid: java-ldap-dn-injection
        Object raw = ldapCtx.lookup("uid=" + req.getParameter("uid") + ",ou=crew,dc=venue,dc=org");
        // ok: java-ldap-dn-injection
        Object escaped = ldapCtx.lookup("uid=" + Rdn.escapeValue(req.getParameter("uid")) + ",ou=crew,dc=venue,dc=org");
        return List.of(raw, escaped);
    }

    @GetMapping("/crew/by-mail")
    public Object byMail(@RequestParam String mail) {
        // ok: java-ldap-dn-injection
        return ldapTemplate.search(query().base("ou=crew").where("mail").is(mail), (AttributesMapper<String>) a -> a.get("cn").toString());
    }
}

// --- Deserialization through look-ahead streams --------------------------------------------------
class SnapshotReader {
    Object restore(InputStream body) throws Exception {
        ObjectInputStream plain = new ObjectInputStream(body);
        // ruleid: java-insecure-deserialization
        return plain.readObject();
    }

    Object restoreChecked(InputStream body) throws Exception {
        ObjectInputStream checked = new AllowListedObjectInputStream(body, Set.of("com.example.Snapshot"));
        // ok: java-insecure-deserialization
        return checked.readObject();
    }

    Object restoreValidated(InputStream body) throws Exception {
        try (ValidatingObjectInputStream vin = new ValidatingObjectInputStream(body)) {
            vin.accept(Snapshot.class);
            // ok: java-insecure-deserialization
            return vin.readObject();
        }
    }
}

// --- Secrets in connection URLs, digests for caching ---------------------------------------------
class ReportingConfig {
    Connection warehouse() throws SQLException {
        // ruleid: java-hardcoded-secret
        return DriverManager.getConnection("jdbc:sqlserver://dw.internal:1433;databaseName=dw;user=etl;password=Wq7!rT9z#Lm2");
    }

    Connection warehouseFromEnv() throws SQLException {
        // ok: java-hardcoded-secret
        return DriverManager.getConnection("jdbc:sqlserver://dw.internal:1433;databaseName=dw;user=etl;password=${DW_PASSWORD}");
    }

    ResponseEntity<byte[]> poster(byte[] png) {
        // ok: java-weak-hash
        String etag = DigestUtils.md5Hex(png);
        // ruleid: java-weak-hash
        String signature = DigestUtils.md5Hex(png);
        return ResponseEntity.ok().eTag(etag).header("X-Signature", signature).body(png);
    }
}

// --- fifth round: shapes from the ticketing corpus, written anew --------------------------
@RestController
class FifthRoundCases {
    private static final Set<String> REGIONS = Set.of("eu", "us");
    private static final Set<String> PARTNER_HOSTS = Set.of("api.partner.example");
    private static final SecureRandom STRONG = new SecureRandom();
    private JdbcTemplate jdbc;
    private DirContext ldap;
    private XPath xp;
    private Document doc;
    private HttpClient client;
    private RestTemplate rest;
    private WebhookRegistry webhooks;
    private TenantRepository tenants;
    private MemberService members;
    private TokenVerifier tokens;

    // a value appended in the middle of a chain, inside a loop
    @GetMapping("/sku")
    public List<Map<String, Object>> bySkus(@RequestParam("sku") List<String> skus) {
        StringBuilder list = new StringBuilder();
        for (String sku : skus) {
            list.append(list.length() == 0 ? "" : ",").append('"').append(sku).append('"');
        }
        String sql = "SELECT * FROM items WHERE sku IN (" + list + ")";
        // ruleid: java-sql-injection
        return jdbc.queryForList(sql);
    }

    @GetMapping("/sku/ids")
    public List<Map<String, Object>> bySkuIds(@RequestParam("sku") List<String> skus) {
        StringBuilder list = new StringBuilder();
        for (String sku : skus) {
            list.append(list.length() == 0 ? "" : ",").append(Long.parseLong(sku)).append(' ');
        }
        // ok: java-sql-injection
        return jdbc.queryForList("SELECT * FROM items WHERE id IN (" + list + ")");
    }

    // a shell started from an argument list
    @PostMapping("/archive")
    public String archive(@RequestParam("dir") String dir) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add("/bin/sh");
        argv.add("-c");
        argv.add("tar czf /tmp/out.tgz " + dir);
        // ruleid: java-command-injection
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.redirectErrorStream(true);
        // ruleid: java-command-injection
        Process proc = builder.start();
        return "started";
    }

    @PostMapping("/archive/v2")
    public String archiveV2(@RequestParam("dir") String dir) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add("tar");
        argv.add("czf");
        argv.add("/tmp/out.tgz");
        argv.add(dir);
        ProcessBuilder builder = new ProcessBuilder(argv);
        // ok: java-command-injection
        Process proc = builder.start();
        return "started";
    }

    // HTML written with the response writer's format()
    public void greet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String who = req.getParameter("who");
        resp.setContentType("text/html");
        // ruleid: java-xss
        resp.getWriter().format("<p>Hello %s</p>", who);
        // ok: java-xss
        resp.getWriter().format("<p>Hello %s</p>", HtmlUtils.htmlEscape(who));
    }

    // an upload saved under its client-side name
    @PostMapping("/upload")
    public String upload(@RequestParam("f") MultipartFile f) throws IOException {
        // ruleid: java-path-traversal
        File dest = new File("/srv/uploads", f.getOriginalFilename());
        // ruleid: java-path-traversal
        f.transferTo(dest);
        File named = new File("/srv/uploads", UUID.randomUUID() + ".bin");
        // ok: java-path-traversal
        f.transferTo(named);
        return "ok";
    }

    // an XPath over an inline constant map lookup
    @GetMapping("/claim")
    public String claim(@RequestParam("name") String name) throws Exception {
        String oid = Map.of("mail", "urn:oid:1", "cn", "urn:oid:2").get(name);
        // ok: java-xpath-injection
        return xp.evaluate("//Attribute[@Name='" + oid + "']/text()", doc);
    }

    @GetMapping("/claim/raw")
    public String claimRaw(@RequestParam("name") String name) throws Exception {
        // ruleid: java-xpath-injection
        return xp.evaluate("//Attribute[@Name='" + name + "']/text()", doc);
    }

    // SSRF: a URL the registry holds for a key, a body that carries input
    @PostMapping("/hooks/{id}/ping")
    public void ping(@PathVariable String id, @RequestBody String payload) throws Exception {
        String target = webhooks.endpointFor(id);
        HttpRequest req = HttpRequest.newBuilder(URI.create(target))
                .header("X-Hook", id)
                .POST(HttpRequest.BodyPublishers.ofString(payload))
                .build();
        // ok: java-ssrf
        client.send(req, HttpResponse.BodyHandlers.discarding());
        // ok: java-ssrf
        rest.postForObject(tenants.callbackBase(id) + "/notify", payload, String.class);
    }

    @PostMapping("/hooks/custom")
    public void pingCustom(@RequestParam("url") String url) throws Exception {
        // ruleid: java-ssrf
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).GET().build();
        // ruleid: java-ssrf
        client.send(req, HttpResponse.BodyHandlers.discarding());
    }

    // trust boundary: what a verifier or a lookup returns
    @PostMapping("/pin")
    public void pin(@RequestParam("user") String user, @RequestParam("pin") String pin, HttpSession session) {
        Member m = tokens.verifyCredentials(user, pin);
        // ok: java-trust-boundary-violation
        session.setAttribute("member", m.getId());
        Member other = members.findActiveMember(user);
        // ok: java-trust-boundary-violation
        session.setAttribute("other", other.getId());
        // ruleid: java-trust-boundary-violation
        session.setAttribute("pin", pin);
    }

    // open redirect: a host allow-list inside a larger condition, a path of a host-less URL,
    // a fixed template
    @GetMapping("/back")
    public String back(@RequestParam("to") String to) {
        URI uri = URI.create(to);
        String dest = "/home";
        if (uri.getHost() != null && PARTNER_HOSTS.contains(uri.getHost().toLowerCase()) && "https".equals(uri.getScheme())) {
            dest = uri.toString();
        }
        // ok: java-open-redirect
        return "redirect:" + dest;
    }

    @GetMapping("/back/local")
    public void backLocal(@RequestParam("to") String to, HttpServletResponse resp) throws IOException {
        String dest = "/home";
        URI uri = URI.create(to);
        if (uri.getHost() == null && uri.getScheme() == null && !to.startsWith("//")) {
            dest = uri.getRawPath();
        }
        // ok: java-open-redirect
        resp.sendRedirect(dest);
        // ruleid: java-open-redirect
        resp.sendRedirect(uri.getRawPath());
    }

    @GetMapping("/tab")
    public ResponseEntity<Void> tab(@RequestParam("tab") String tab) {
        String path = UriComponentsBuilder.fromPath("/account/{tab}").buildAndExpand(tab).encode().toUriString();
        // ok: java-open-redirect
        return ResponseEntity.status(302).location(URI.create(path)).build();
    }

    @GetMapping("/tab/any")
    public ResponseEntity<Void> tabAny(@RequestParam("next") String next) {
        String path = UriComponentsBuilder.fromUriString(next).buildAndExpand().toUriString();
        // ruleid: java-open-redirect
        return ResponseEntity.status(302).location(URI.create(path)).build();
    }

    // weak randomness: commons-lang with a SecureRandom source
    @PostMapping("/keys")
    public String newKey() {
        // ok: java-weak-random-security
        String apiKey = RandomStringUtils.random(32, 0, 0, true, true, null, STRONG);
        // ruleid: java-weak-random-security
        String resetToken = RandomStringUtils.random(32, 0, 0, true, true, null, new Random());
        return apiKey + resetToken;
    }
}

class DirectoryLookups {
    private DirContext ctx;
    private static final String PEOPLE = "ou=people,dc=example,dc=org";

    Attributes profile(String uid) throws Exception {
        // ruleid: java-ldap-dn-injection
        return ctx.getAttributes("uid=" + uid + "," + PEOPLE, new String[] {"cn"});
    }

    Attributes profileEscaped(String uid) throws Exception {
        // ok: java-ldap-dn-injection
        return ctx.getAttributes("uid=" + Rdn.escapeValue(uid) + "," + PEOPLE, new String[] {"cn"});
    }

    Attributes underBase(String baseDn) throws Exception {
        // ok: java-ldap-dn-injection
        return ctx.getAttributes("ou=groups," + baseDn, new String[] {"cn"});
    }
}

class JacksonTyping {
    Object polymorphic(String json) throws Exception {
        ObjectMapper open = new ObjectMapper();
        open.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
        // ruleid: java-insecure-deserialization
        return open.readValue(json, Object.class);
    }

    Object polymorphicChecked(String json) throws Exception {
        PolymorphicTypeValidator ptv = BasicPolymorphicTypeValidator.builder().allowIfSubType("com.example.model.").build();
        ObjectMapper checked = new ObjectMapper();
        checked.activateDefaultTyping(ptv, ObjectMapper.DefaultTyping.NON_FINAL);
        // ok: java-insecure-deserialization
        return checked.readValue(json, Object.class);
    }
}

class SigningKeys {
    private String configuredKey;

    SecretKey jwtKey() {
        // ruleid: java-hardcoded-secret
        return Keys.hmacShaKeyFor("prod-signing-secret-please-rotate-77aa".getBytes(StandardCharsets.UTF_8));
    }

    SecretKey jwtKeyFromConfig() {
        // ok: java-hardcoded-secret
        return Keys.hmacShaKeyFor(configuredKey.getBytes(StandardCharsets.UTF_8));
    }

    Algorithm auth0() {
        // ruleid: java-hardcoded-secret
        return Algorithm.HMAC256("another-signing-secret-value-2024");
    }
}

// --- sixth round: shapes from the library corpus, written anew ----------------------------
@javax.ws.rs.Path("/rules")
class JaxRsEntities {
    private final ScriptEngine engine = new ScriptEngineManager().getEngineByName("js");
    private final HttpClient http = HttpClient.newHttpClient();
    private static final Map<String, String> MIRRORS = Map.of("eu", "https://eu.mirror.example/", "us", "https://us.mirror.example/");

    // the unannotated parameter of a @POST/@PUT resource method is the request entity
    @POST
    @javax.ws.rs.Path("/{id}/check")
    public Object check(@PathParam("id") long id, RuleRequest rule) throws Exception {
        // ruleid: java-code-injection
        Object verdict = engine.eval(rule.getCondition());
        // ok: java-code-injection
        Object fixed = engine.eval("member.age >= 18");
        return List.of(verdict, fixed);
    }

    @PUT
    @javax.ws.rs.Path("/{id}/hook")
    public Object hook(@PathParam("id") long id, HookRequest body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder().uri(URI.create(body.callbackUrl + "/ping?id=" + id)).GET().build();
        // ruleid: java-ssrf
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    // a value checked against a pattern inside a larger condition, or whose failed check leaves
    @GET
    @javax.ws.rs.Path("/mirror/{region}/{isbn}")
    public Object mirror(@PathParam("region") String region, @PathParam("isbn") String isbn) throws Exception {
        String base = MIRRORS.get(region);
        if (base == null || !isbn.matches("[0-9Xx-]{10,17}")) {
            return null;
        }
        URL url = new URL(base + "covers/" + isbn + ".jpg");
        // ok: java-ssrf
        return url.openStream();
    }

    @GET
    @javax.ws.rs.Path("/mirror-any/{isbn}")
    public Object mirrorAny(@QueryParam("base") String base, @PathParam("isbn") String isbn) throws Exception {
        if (base == null || !isbn.matches("[0-9Xx-]{10,17}")) {
            return null;
        }
        // ruleid: java-ssrf
        URL url = new URL(base + "covers/" + isbn + ".jpg");
        // ruleid: java-ssrf
        return url.openStream();
    }
}

class SixthRoundServlet extends HttpServlet {
    private static final Pattern LOCAL_PATH = Pattern.compile("/(?![/\\\\])[A-Za-z0-9/_.-]*");
    private static final Set<String> TRUSTED_HOSTS = Set.of("www.example.org");
    private OidcClient oidc;

    // a return URL stored in the session, then redirected to by another handler
    void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(true);
        // ruleid: java-trust-boundary-violation
        session.setAttribute("returnTo", req.getParameter("returnTo"));
        // ok: java-trust-boundary-violation
        session.setAttribute("landing", "/account");
        resp.sendRedirect("/idp/authorize");
    }

    void callback(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(false);
        // a code exchanged with the identity provider returns the provider's answer
        // ok: java-trust-boundary-violation
        session.setAttribute("subject", oidc.exchange(req.getParameter("code")).subject());
        String back = (String) session.getAttribute("returnTo");
        if (back != null) {
            // ruleid: java-open-redirect
            resp.sendRedirect(back);
            return;
        }
        // ok: java-open-redirect
        resp.sendRedirect((String) session.getAttribute("landing"));
    }

    // a redirect target validated inside a larger condition
    void logout(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String next = req.getParameter("next");
        if (next != null && isTrustedAbsolute(next)) {
            // ok: java-open-redirect
            resp.sendRedirect(next);
            return;
        }
        String local = req.getParameter("local");
        if (local != null && LOCAL_PATH.matcher(local).matches()) {
            // ok: java-open-redirect
            resp.sendRedirect(local);
            return;
        }
        if (local != null) {
            // ruleid: java-open-redirect
            resp.sendRedirect(local);
        }
    }

    private boolean isTrustedAbsolute(String url) {
        URI uri = URI.create(url);
        return "https".equals(uri.getScheme()) && TRUSTED_HOSTS.contains(uri.getHost());
    }

    // an argument array of a fixed program vs a shell's
    void dump(HttpServletRequest req) throws IOException {
        String table = req.getHeader("X-Table");
        String[] args = {"pg_dump", "--data-only", "--table=" + table, "library"};
        // ok: java-command-injection
        Runtime.getRuntime().exec(args);
        String[] shell = {"/bin/bash", "-c", "pg_dump --table=" + table + " library > /tmp/out.sql"};
        // ruleid: java-command-injection
        Runtime.getRuntime().exec(shell);
    }
}

@RestController
class SixthRoundController {
    private final ExpressionParser parser = new SpelExpressionParser();
    private final Path importRoot = Paths.get("/srv/imports");
    private final Random random = new Random();
    private final SecureRandom secureRandom = new SecureRandom();

    // SpEL against a SimpleEvaluationContext cannot reach types, constructors or beans
    @PostMapping("/columns/preview")
    public Object preview(@RequestBody ColumnRequest column, @RequestBody Object row) {
        SimpleEvaluationContext ctx = SimpleEvaluationContext.forReadOnlyDataBinding().build();
        // ok: java-code-injection
        Object a = parser.parseExpression(column.expression).getValue(ctx, row);
        // ok: java-code-injection
        Object b = parser.parseExpression(column.expression).getValue(SimpleEvaluationContext.forReadOnlyDataBinding().build(), row);
        StandardEvaluationContext full = new StandardEvaluationContext(row);
        // ruleid: java-code-injection
        Object c = parser.parseExpression(column.expression).getValue(full);
        return List.of(a, b, c);
    }

    // SnakeYAML loaders that build any tagged class
    @PostMapping("/profiles")
    public Object profiles(@RequestPart("rules") MultipartFile file, @RequestBody String text) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setTagInspector(tag -> true);
        Yaml open = new Yaml(new Constructor(Object.class, options));
        // ruleid: java-insecure-deserialization
        Object rules = open.load(file.getInputStream());
        Yaml legacy = new Yaml(new Constructor(VendorProfile.class));
        // ruleid: java-insecure-deserialization
        Object profile = legacy.load(text);
        return List.of(rules, profile);
    }

    @PostMapping("/profiles/typed")
    public Object profilesTyped(@RequestBody String text) {
        Yaml typed = new Yaml(new Constructor(VendorProfile.class, new LoaderOptions()));
        // ok: java-insecure-deserialization
        return typed.load(text);
    }

    // the destination of Files.copy
    @PostMapping("/batches")
    public String batch(@RequestPart("file") MultipartFile file) throws IOException {
        // ruleid: java-path-traversal
        Path target = importRoot.resolve(file.getOriginalFilename());
        // ruleid: java-path-traversal
        Files.copy(file.getInputStream(), target, StandardCopyOption.REPLACE_EXISTING);
        Path named = importRoot.resolve(FilenameUtils.getName(file.getOriginalFilename()));
        // ok: java-path-traversal
        Files.copy(file.getInputStream(), named);
        return "ok";
    }

    // a door code appended character by character; a remember-me value kept in a cookie
    @PostMapping("/rooms/{id}")
    public String book(@PathVariable long id, HttpServletResponse response) {
        StringBuilder code = new StringBuilder();
        StringBuilder pickup = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            // ruleid: java-weak-random-security
            code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            // ok: java-weak-random-security
            pickup.append(ALPHABET.charAt(secureRandom.nextInt(ALPHABET.length())));
        }
        // ruleid: java-weak-random-security
        String series = Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
        Cookie remember = new Cookie("remember_me", series);
        remember.setHttpOnly(true);
        remember.setSecure(true);
        response.addCookie(remember);
        // ok: java-weak-random-security
        long jitter = random.nextInt(250);
        return code.toString() + pickup + jitter;
    }
}

class SixthRoundCrypto {
    // ruleid: java-hardcoded-secret
    private static final byte[] CARD_NUMBER_KEY = "L0cal-C4rd-K3y!!".getBytes(StandardCharsets.US_ASCII);
    // ok: java-hardcoded-secret
    private static final byte[] ENV_KEY = System.getenv("CARD_KEY").getBytes(StandardCharsets.US_ASCII);
    // ok: java-hardcoded-secret
    private static final byte[] BANNER = "Welcome to the library".getBytes(StandardCharsets.UTF_8);

    byte[] wrap(byte[] key, PublicKey partner) throws Exception {
        // ok: java-weak-cipher
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        // ruleid: java-weak-cipher
        Cipher pkcs1 = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        // ruleid: java-weak-cipher
        Cipher plain = Cipher.getInstance("RSA");
        // ruleid: java-weak-cipher
        Cipher ecb = Cipher.getInstance("AES/ECB/PKCS5Padding");
        return new byte[0];
    }

    String securityAnswer(String answer) {
        // ruleid: java-weak-hash
        return org.apache.commons.codec.digest.DigestUtils.md5Hex(answer.trim());
    }

    String answerDigest(String answer) {
        // ok: java-weak-hash
        return org.apache.commons.codec.digest.DigestUtils.sha256Hex(answer.trim());
    }
}

// sinks spelled with a string the rule now also looks for in the whole file
@RestController
class LocationHeaders {
    private final OkHttpClient ok = new OkHttpClient();

    @GetMapping("/go")
    public ResponseEntity<Void> go(@RequestParam("next") String next, HttpServletResponse resp) {
        resp.setStatus(302);
        // ruleid: java-open-redirect
        resp.addHeader("Location", next);
        // ok: java-open-redirect
        resp.addHeader("Location", "/home");
        // ruleid: java-open-redirect
        return ResponseEntity.status(302).header("Location", next).build();
    }

    @GetMapping("/go/fixed")
    public ResponseEntity<Void> goFixed(@RequestParam("next") String next) {
        // ok: java-open-redirect
        return ResponseEntity.status(302).header("Location", "/account").build();
    }

    @GetMapping("/fetch")
    public String fetch(@RequestParam("u") String u) throws IOException {
        // ruleid: java-ssrf
        Request request = new Request.Builder().url(u).build();
        // ok: java-ssrf
        Request fixed = new Request.Builder().url("https://api.example.org/status").build();
        return ok.newCall(request).execute().body().string() + ok.newCall(fixed).execute().body().string();
    }
}

// --- seventh round: how careful code makes a value safe, and the look-alikes that do not ---
@Controller
class SeventhRoundRedirects {
    private static final Map<String, String> LANDING = Map.of("queue", "/claims/queue");
    private final JdbcTemplate jdbc;

    SeventhRoundRedirects(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    // a URL whose origin the text before the input fixes
    @GetMapping("/sso/start")
    public void start(@RequestParam("state") String state, @RequestParam("next") String next, HttpServletResponse resp) throws IOException {
        // ok: java-open-redirect
        resp.sendRedirect("https://idp.example.com/authorize?client_id=web&state=" + state + "&x=" + next);
        // ok: java-open-redirect
        resp.sendRedirect("/login?next=" + next);
        // ruleid: java-open-redirect
        resp.sendRedirect("/" + next);
        // ruleid: java-open-redirect
        resp.sendRedirect("https://idp.example.com" + next);
    }

    // a local-path test: startsWith("/") alone lets "//evil.example" in
    @PostMapping("/assign")
    public void assign(@RequestParam("returnTo") String returnTo, @RequestParam("other") String other, HttpServletResponse resp) throws IOException {
        String loose = (returnTo != null && returnTo.startsWith("/")) ? returnTo : "/queue";
        // ruleid: java-open-redirect
        resp.sendRedirect(loose);
        String local = (returnTo != null && returnTo.startsWith("/") && !returnTo.startsWith("//")) ? returnTo : "/queue";
        // ok: java-open-redirect
        resp.sendRedirect(local);
        String crossed = (other != null && other.startsWith("/") && !other.startsWith("//")) ? returnTo : "/queue";
        // ruleid: java-open-redirect
        resp.sendRedirect(crossed);
        boolean adminPath = returnTo != null && returnTo.startsWith("/admin/") && !returnTo.contains("..");
        // ok: java-open-redirect
        resp.sendRedirect(adminPath ? returnTo : "/admin");
    }

    // a validator given the value, whatever it is called; a check of another value is not one
    @GetMapping("/back")
    public void back(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String back = req.getHeader("Referer");
        if (back != null && isStaffHost(back)) {
            // ok: java-open-redirect
            resp.sendRedirect(back);
            return;
        }
        if (back != null && back.startsWith("https://" + "staff.example.com")) {
            // ruleid: java-open-redirect
            resp.sendRedirect(back);
            return;
        }
        String cont = req.getParameter("continue");
        if (!isStaffHost(back)) {
            // ruleid: java-open-redirect
            resp.sendRedirect(back);
            return;
        }
        // ok: java-open-redirect
        resp.sendRedirect(back);
        if (isStaffHost(back)) {
            // ruleid: java-open-redirect
            resp.sendRedirect(cont);
        }
    }

    // a parsed URL with neither scheme nor authority; a database row's stored target
    @GetMapping("/continue")
    public void continueTo(@RequestParam("next") String next, @PathVariable String code, HttpServletResponse resp) throws IOException, URISyntaxException {
        URI uri = new URI(next);
        if (!uri.isAbsolute() && uri.getRawAuthority() == null) {
            // ok: java-open-redirect
            resp.sendRedirect(uri.normalize().toString());
        }
        List<String> targets = jdbc.queryForList("SELECT target FROM links WHERE code = ?", String.class, code);
        // ok: java-open-redirect
        resp.sendRedirect(targets.get(0));
    }

    // the first part after "redirect:" decides where the redirect goes
    @GetMapping("/handoff")
    public String handoff(HttpServletRequest request) {
        String portal = request.getParameter("portal");
        String claim = request.getParameter("claim");
        if (claim != null) {
            // ruleid: java-open-redirect
            return "redirect:" + portal + "?claim=" + claim;
        }
        // ok: java-open-redirect
        return "redirect:" + LANDING.getOrDefault(portal, "/claims/queue") + "?claim=" + claim;
    }

    private static boolean isStaffHost(String url) {
        URI uri = URI.create(url);
        return "https".equals(uri.getScheme()) && "staff.example.com".equals(uri.getHost());
    }
}

@RestController
class SeventhRoundChecks {
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,40}");
    private static final Pattern POLICY = Pattern.compile("P-\\d{9}");
    private static final Set<String> LOCALES = Set.of("en-US", "fr-CA");
    private final Path root = Paths.get("/srv/docs");
    private final JdbcTemplate jdbc;

    SeventhRoundChecks(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    // inside the block a failed check enters, the value is still the input
    @GetMapping(value = "/claims/{ref}", produces = "text/html")
    public String page(@PathVariable("ref") String ref) {
        if (!NAME.matcher(ref).matches()) {
            // ruleid: java-xss
            return "<p>No claim " + ref + "</p>";
        }
        // ok: java-xss
        return "<p>Claim " + ref + "</p>";
    }

    // a validator called as a statement throws on a bad value
    @GetMapping("/policies/{policy}/{name}")
    public byte[] document(@PathVariable("policy") String policy, @PathVariable("name") String name) throws IOException {
        requirePolicy(policy);
        // ok: java-path-traversal
        byte[] a = Files.readAllBytes(root.resolve(policy));
        // ruleid: java-path-traversal
        byte[] b = Files.readAllBytes(root.resolve(policy).resolve(name));
        return a.length > 0 ? a : b;
    }

    // a path made canonical first, then checked against the base directory
    @GetMapping("/exports")
    public byte[] export(@RequestParam("file") String file) throws IOException {
        File base = new File("/srv/exports").getCanonicalFile();
        // (the file made from the name is reported where it is made, as before)
        // ruleid: java-path-traversal
        File loose = new File(base, file);
        if (!loose.getAbsolutePath().startsWith(base.getAbsolutePath())) {
            return new byte[0];
        }
        // ruleid: java-path-traversal
        byte[] a = Files.readAllBytes(loose.toPath());
        // ruleid: java-path-traversal
        File canonical = new File(base, file).getCanonicalFile();
        if (!canonical.getPath().startsWith(base.getPath() + File.separator)) {
            return new byte[0];
        }
        // ok: java-path-traversal
        return a.length > 0 ? a : Files.readAllBytes(canonical.toPath());
    }

    @PostMapping("/drop")
    public void drop(InputStream body, @RequestHeader("X-Name") String name) throws IOException {
        // ruleid: java-path-traversal
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root)) {
            return;
        }
        // ok: java-path-traversal
        Files.copy(body, target);
    }

    // an enum constant, a validated value, a verified subject, an allow-listed choice
    @PostMapping("/workspace")
    public void workspace(HttpServletRequest request, @RequestParam("saml") String saml) {
        String raw = request.getParameter("region");
        Region region = Region.valueOf(raw.trim().toUpperCase());
        // ok: java-trust-boundary-violation
        request.getSession().setAttribute("region", region.name());
        // ok: java-trust-boundary-violation
        request.getSession().setAttribute("email", requireValidEmail(request.getParameter("email")));
        // ok: java-trust-boundary-violation
        request.getSession().setAttribute("subject", SamlAssertions.verifiedSubject(saml));
        String locale = request.getParameter("locale");
        String effective = locale != null && LOCALES.contains(locale) ? locale : "en-US";
        // ok: java-trust-boundary-violation
        request.getSession().setAttribute("locale", effective);
        String role = request.getParameter("role");
        // ruleid: java-trust-boundary-violation
        request.getSession().setAttribute("role", role == null ? "viewer" : role);
    }

    // placeholders made one per value; values quoted into the query are not
    @PostMapping("/claims/filter")
    public List<Map<String, Object>> filter(@RequestBody ClaimFilter filter) {
        String placeholders = filter.statuses.stream().map(s -> "?").collect(Collectors.joining(","));
        // ok: java-sql-injection
        List<Map<String, Object>> a = jdbc.queryForList("SELECT * FROM claims WHERE status IN (" + placeholders + ")", filter.statuses.toArray());
        String quoted = filter.statuses.stream().map(s -> "'" + s + "'").collect(Collectors.joining(","));
        // ruleid: java-sql-injection
        List<Map<String, Object>> b = jdbc.queryForList("SELECT * FROM claims WHERE status IN (" + quoted + ")");
        Region region = Region.valueOf(filter.region);
        // ok: java-sql-injection
        List<Map<String, Object>> c = jdbc.queryForList("SELECT * FROM " + region.table());
        a.addAll(b);
        a.addAll(c);
        return a;
    }

    private static void requirePolicy(String policy) {
        if (policy == null || !POLICY.matcher(policy).matches()) {
            throw new IllegalArgumentException("bad policy");
        }
    }

    private static String requireValidEmail(String raw) {
        return raw.trim();
    }
}

@RestController
class SeventhRoundClients {
    private static final Set<String> HOSTS = Set.of("estimates.example.com");
    private static final Map<String, String> BASES = Map.of("a", "https://a.example.com/v1");
    private static final Map<String, String> PROCESSORS = Map.of("ach", "com.example.AchProcessor");
    private final RestTemplate rest = new RestTemplate();
    private final Client client = ClientBuilder.newClient();
    private final ObjectMapper legacy = new ObjectMapper();
    private final Registry registry;

    SeventhRoundClients(Registry registry) {
        this.registry = registry;
        legacy.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
    }

    // the host, kept in a variable, checked against an allow-list or a registered name
    @GetMapping("/estimates")
    public String estimate(@RequestParam("url") String url, @RequestParam("cb") String cb, @RequestParam("p") String provider) {
        URI uri = URI.create(url);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase();
        if (!HOSTS.contains(host)) {
            return "rejected";
        }
        // ok: java-ssrf
        String a = rest.getForObject(uri, String.class);
        URI callback = URI.create(cb);
        String cbHost = callback.getHost();
        String domain = registry.registeredDomain(provider);
        boolean hostOk = cbHost != null && (cbHost.equalsIgnoreCase(domain) || cbHost.endsWith("." + domain));
        if (!hostOk) {
            return "rejected";
        }
        // ok: java-ssrf
        Response verified = client.target(callback).request().get();
        // ruleid: java-ssrf
        Response raw = client.target(cb).request().get();
        return a + verified.getStatus() + raw.getStatus();
    }

    // values in a URI builder's encoded path segments cannot change its host
    @GetMapping("/photos/{network}/{id}")
    public String photo(@PathVariable String network, @PathVariable String id) {
        String base = BASES.get(network);
        URI uri = UriComponentsBuilder.fromHttpUrl(base).pathSegment("photos", id).build().encode().toUri();
        // ok: java-ssrf
        return rest.getForObject(uri, String.class);
    }

    // a class named by input is loaded and built
    @PostMapping("/refunds")
    public Object refund(@RequestParam("method") String method, @RequestParam("cls") String cls) throws ReflectiveOperationException {
        String className = PROCESSORS.get(method);
        // ok: java-code-injection
        Object a = Class.forName(className).getDeclaredConstructor().newInstance();
        // ruleid: java-code-injection
        Object b = Class.forName(cls).getDeclaredConstructor().newInstance();
        return List.of(a, b);
    }

    // a mapper given allow-all default typing in the constructor
    @PostMapping("/bills")
    public Object bill(@RequestBody String body) throws IOException {
        // ruleid: java-insecure-deserialization
        return legacy.readValue(body, Object.class);
    }

    // Spring LDAP's filter with {0} arguments encodes them
    @GetMapping("/agents")
    public List<String> agents(@RequestParam("email") String email, LdapTemplate ldap, AttributesMapper<String> mapper) {
        // ok: java-ldap-dn-injection
        List<String> a = ldap.search(LdapQueryBuilder.query().base("ou=agents").filter("(mail={0})", email), mapper);
        return a;
    }

    // external general entities off alone leave parameter entities (external DTDs) on
    @PostMapping("/returns")
    public void returns(HttpServletRequest request) throws Exception {
        // ruleid: java-xxe
        XMLReader reader = SAXParserFactory.newInstance().newSAXParser().getXMLReader();
        reader.setFeature("http://xml.org/sax/features/external-general-entities", false);
        // ruleid: java-xxe-parse
        reader.parse(new InputSource(request.getInputStream()));
    }

    // a weak ResponseCookie is reported where it is sent too
    @PostMapping("/agency")
    public void agency(@RequestParam("code") String code, HttpServletResponse response) {
        // ruleid: java-insecure-cookie
        ResponseCookie weak = ResponseCookie.from("AGENCY", code).httpOnly(true).secure(false).build();
        // ruleid: java-insecure-cookie
        response.addHeader(HttpHeaders.SET_COOKIE, weak.toString());
        ResponseCookie strong = ResponseCookie.from("AGENCY", code).httpOnly(true).secure(true).build();
        // ok: java-insecure-cookie
        response.addHeader(HttpHeaders.SET_COOKIE, strong.toString());
    }

    // a predictable value that becomes part of a cookie
    @PostMapping("/remember")
    public void remember(long holderId, HttpServletResponse response) {
        // ruleid: java-weak-random-security
        String rotated = Long.toHexString(new Random().nextLong());
        Cookie cookie = new Cookie("REMEMBER", holderId + ":" + rotated);
        cookie.setSecure(true);
        cookie.setHttpOnly(true);
        response.addCookie(cookie);
    }

    // a literal password for basic authentication; a secret read by its name
    @PostMapping("/glass")
    public void glass(VaultClient vault) {
        HttpHeaders headers = new HttpHeaders();
        // ruleid: java-hardcoded-secret
        headers.setBasicAuth("glass-svc", "Gl@ssW0rks!2022");
        // ok: java-hardcoded-secret
        byte[] key = vault.readSecret("secret/payments/refund-key");
    }
}
