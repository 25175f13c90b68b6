package gov.riverton.council;

import com.bettercloud.vault.Vault;
import com.bettercloud.vault.VaultConfig;
import com.bettercloud.vault.VaultException;
import java.beans.XMLDecoder;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import javax.servlet.ServletException;
import javax.servlet.annotation.MultipartConfig;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import javax.servlet.http.Part;
import javax.xml.XMLConstants;
import javax.xml.transform.Templates;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;
import org.apache.commons.io.serialization.ValidatingObjectInputStream;
import org.dom4j.Document;
import org.dom4j.DocumentException;
import org.dom4j.Element;
import org.dom4j.io.SAXReader;
import org.springframework.web.util.HtmlUtils;
import org.xml.sax.SAXException;

/**
 * Council-meeting agenda publisher: imports agendas from the agenda-management export,
 * renders the public HTML and PDF packet, serves attachments, takes resident e-comment
 * sign-ups and pushes the published agenda to the public site repository.
 */
@WebServlet(urlPatterns = {"/council/agendas/*"})
@MultipartConfig(maxFileSize = 100L * 1024 * 1024)
public class AgendaPublisherServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final String ATTACHMENT_DIR = "/srv/riverton/council/attachments";
    private static final String SITE_REPO_API = "https://api.github.com/repos/riverton-city/council-agendas/contents/";
    // vuln: CWE-798
    private static final String SITE_REPO_TOKEN = "ghp_R7vTn2CqLx9WmK4pZs8YbD3hJf6GaE1uQo5N";

    private transient AgendaRepository agendas;
    private transient SitePublisher sitePublisher;
    private transient SitePublisher minutesPublisher;
    private transient Templates agendaStylesheet;

    @Override
    public void init() throws ServletException {
        agendas = (AgendaRepository) getServletContext().getAttribute("agendaRepository");
        sitePublisher = new SitePublisher(SITE_REPO_API, SITE_REPO_TOKEN);
        try {
            Vault vault = new Vault(new VaultConfig().address(System.getenv("VAULT_ADDR")).token(System.getenv("VAULT_TOKEN")).build());
            // safe: CWE-798
            String minutesToken = vault.logical().read("secret/council/minutes-publisher").getData().get("github_token");
            minutesPublisher = new SitePublisher("https://api.github.com/repos/riverton-city/council-minutes/contents/", minutesToken);
            TransformerFactory tf = TransformerFactory.newInstance();
            tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            try (InputStream xsl = getServletContext().getResourceAsStream("/WEB-INF/xsl/agenda-public.xsl")) {
                agendaStylesheet = tf.newTemplates(new StreamSource(xsl));
            }
        } catch (VaultException | TransformerException | IOException e) {
            throw new ServletException(e);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String action = req.getPathInfo() == null ? "" : req.getPathInfo();
        try {
            switch (action) {
                case "/import":
                    importAgenda(req, resp);
                    break;
                case "/import-minutes":
                    importMinutes(req, resp);
                    break;
                case "/render":
                    renderUploaded(req, resp);
                    break;
                case "/render-packet":
                    renderPacket(req, resp);
                    break;
                case "/pdf":
                    pdf(req, resp);
                    break;
                case "/pdf/v2":
                    pdfV2(req, resp);
                    break;
                case "/drafts/open":
                    openDesktopDraft(req, resp);
                    break;
                case "/drafts/restore":
                    restoreDraft(req, resp);
                    break;
                case "/ecomment/signup":
                    ecommentSignup(req, resp);
                    break;
                case "/publish":
                    publish(req, resp);
                    break;
                default:
                    resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (DocumentException | SAXException | TransformerException | ClassNotFoundException | InterruptedException e) {
            throw new ServletException(e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String action = req.getPathInfo() == null ? "" : req.getPathInfo();
        switch (action) {
            case "/preview":
                preview(req, resp);
                break;
            case "/attachment":
                attachment(req, resp);
                break;
            case "/attachment/checked":
                checkedAttachment(req, resp);
                break;
            default:
                resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    /** Agenda export from the agenda-management system (one meeting per file). */
    private void importAgenda(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException, DocumentException {
        Part upload = req.getPart("agenda");
        SAXReader reader = new SAXReader();
        Document doc;
        try (InputStream in = upload.getInputStream()) {
            // vuln: CWE-611
            doc = reader.read(in);
        }
        long meetingId = agendas.importAgenda(doc.getRootElement());
        resp.sendRedirect(req.getContextPath() + "/council/agendas/preview?meeting=" + meetingId);
    }

    private void importMinutes(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException, DocumentException, SAXException {
        Part upload = req.getPart("minutes");
        SAXReader reader = new SAXReader();
        reader.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        reader.setFeature("http://xml.org/sax/features/external-general-entities", false);
        reader.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        Document doc;
        try (InputStream in = upload.getInputStream()) {
            // safe: CWE-611
            doc = reader.read(in);
        }
        for (Element motion : doc.getRootElement().elements("motion")) {
            agendas.recordMotion(motion.attributeValue("item"), motion.elementText("result"));
        }
        // safe: CWE-601
        resp.sendRedirect(req.getContextPath() + "/council/agendas/preview?meeting=" + Long.parseLong(req.getParameter("meeting")));
    }

    /** Renders an uploaded agenda XML through a fixed stylesheet so the clerk can check it. */
    private void renderUploaded(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException, TransformerException {
        Part upload = req.getPart("agenda");
        Transformer transformer;
        try (InputStream xsl = getServletContext().getResourceAsStream("/WEB-INF/xsl/agenda-public.xsl")) {
            transformer = TransformerFactory.newInstance().newTransformer(new StreamSource(xsl));
        }
        resp.setContentType("text/html;charset=UTF-8");
        try (InputStream in = upload.getInputStream()) {
            // vuln: CWE-611
            transformer.transform(new StreamSource(in), new StreamResult(resp.getWriter()));
        }
    }

    private void renderPacket(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException, TransformerException {
        Part upload = req.getPart("agenda");
        Transformer transformer = agendaStylesheet.newTransformer();
        resp.setContentType("text/html;charset=UTF-8");
        try (InputStream in = upload.getInputStream()) {
            // safe: CWE-611
            transformer.transform(new StreamSource(in), new StreamResult(resp.getWriter()));
        }
    }

    private void preview(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long meetingId = Long.parseLong(req.getParameter("meeting"));
        AgendaView agenda = agendas.find(meetingId);
        String highlight = req.getParameter("highlight");
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        out.println("<!doctype html><html><head><title>Agenda preview</title></head><body>");
        // safe: CWE-79
        out.println("<h1>" + HtmlUtils.htmlEscape(agenda.getBodyName()) + " &mdash; " + HtmlUtils.htmlEscape(agenda.getMeetingDate().toString()) + "</h1>");
        if (highlight != null) {
            // vuln: CWE-79
            out.println("<div class=\"notice\">Showing items matching <mark>" + highlight + "</mark></div>");
        }
        out.println("<ol>");
        for (AgendaItemView item : agenda.getItems()) {
            out.println("<li id=\"item-" + item.getNumber() + "\">" + HtmlUtils.htmlEscape(item.getTitle()) + "</li>");
        }
        out.println("</ol></body></html>");
    }

    private void pdf(HttpServletRequest req, HttpServletResponse resp) throws IOException, InterruptedException {
        long meetingId = Long.parseLong(req.getParameter("meeting"));
        String title = req.getParameter("title");
        Path html = Files.createTempFile("agenda-" + meetingId, ".html");
        Path pdf = Files.createTempFile("agenda-" + meetingId, ".pdf");
        Files.writeString(html, agendas.renderHtml(meetingId), StandardCharsets.UTF_8);
        // vuln: CWE-78
        Process p = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "wkhtmltopdf --quiet --title \"" + title + "\" " + html + " " + pdf});
        p.waitFor();
        streamPdf(resp, pdf);
    }

    private void pdfV2(HttpServletRequest req, HttpServletResponse resp) throws IOException, InterruptedException {
        long meetingId = Long.parseLong(req.getParameter("meeting"));
        String title = req.getParameter("title");
        Path html = Files.createTempFile("agenda-" + meetingId, ".html");
        Path pdf = Files.createTempFile("agenda-" + meetingId, ".pdf");
        Files.writeString(html, agendas.renderHtml(meetingId), StandardCharsets.UTF_8);
        // safe: CWE-78
        Process p = new ProcessBuilder("wkhtmltopdf", "--quiet", "--title", title, html.toString(), pdf.toString()).start();
        p.waitFor();
        streamPdf(resp, pdf);
    }

    private void streamPdf(HttpServletResponse resp, Path pdf) throws IOException {
        resp.setContentType("application/pdf");
        try (OutputStream out = resp.getOutputStream()) {
            Files.copy(pdf, out);
        } finally {
            Files.deleteIfExists(pdf);
        }
    }

    private void attachment(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String name = req.getParameter("file");
        resp.setContentType("application/octet-stream");
        // vuln: CWE-22
        try (InputStream in = new FileInputStream(new File(ATTACHMENT_DIR, name)); OutputStream out = resp.getOutputStream()) {
            in.transferTo(out);
        }
    }

    private void checkedAttachment(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String name = req.getParameter("file");
        File base = new File(ATTACHMENT_DIR).getCanonicalFile();
        File requested = new File(base, name).getCanonicalFile();
        if (!requested.getPath().startsWith(base.getPath() + File.separator)) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        resp.setContentType("application/octet-stream");
        // safe: CWE-22
        try (InputStream in = new FileInputStream(requested); OutputStream out = resp.getOutputStream()) {
            in.transferTo(out);
        }
    }

    /** Opens a draft saved by the clerk's old desktop agenda builder (java.beans XML). */
    private void openDesktopDraft(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        Part draftFile = req.getPart("draft");
        try (XMLDecoder decoder = new XMLDecoder(draftFile.getInputStream())) {
            // vuln: CWE-502
            AgendaDraft draft = (AgendaDraft) decoder.readObject();
            long meetingId = agendas.saveDraft(draft);
            resp.sendRedirect(req.getContextPath() + "/council/agendas/preview?meeting=" + meetingId);
        }
    }

    /** Restores an autosaved draft that the web editor stored as a serialized blob. */
    private void restoreDraft(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException, ClassNotFoundException {
        Part draftFile = req.getPart("draft");
        try (ValidatingObjectInputStream in = new ValidatingObjectInputStream(draftFile.getInputStream())) {
            in.accept(AgendaDraft.class, AgendaItemDraft.class, java.util.ArrayList.class, String.class);
            in.accept("java.time.Ser");
            // safe: CWE-502
            AgendaDraft draft = (AgendaDraft) in.readObject();
            long meetingId = agendas.saveDraft(draft);
            resp.sendRedirect(req.getContextPath() + "/council/agendas/preview?meeting=" + meetingId);
        }
    }

    /** Residents register to speak or leave a written e-comment on an agenda item. */
    private void ecommentSignup(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(true);
        long itemId = Long.parseLong(req.getParameter("item"));
        // safe: CWE-501
        session.setAttribute("ecommentItemId", itemId);
        // vuln: CWE-501
        session.setAttribute("ecommentDisplayName", req.getParameter("displayName"));

        String commentToken = agendas.openCommentSession(itemId, session.getId());
        Cookie comment = new Cookie("RVT_ECOMMENT", commentToken);
        comment.setHttpOnly(true);
        comment.setPath("/council");
        comment.setMaxAge(4 * 60 * 60);
        // vuln: CWE-614
        resp.addCookie(comment);

        String speakerToken = agendas.registerSpeaker(itemId, UUID.randomUUID());
        Cookie speaker = new Cookie("RVT_SPEAKER", speakerToken);
        speaker.setHttpOnly(true);
        speaker.setSecure(true);
        speaker.setPath("/council");
        speaker.setMaxAge(24 * 60 * 60);
        // safe: CWE-614
        resp.addCookie(speaker);

        String back = req.getParameter("back");
        if (back != null && !back.isEmpty()) {
            // vuln: CWE-601
            resp.sendRedirect(back);
            return;
        }
        resp.sendRedirect(req.getContextPath() + "/council/agendas/preview?meeting=" + agendas.meetingForItem(itemId));
    }

    private void publish(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long meetingId = Long.parseLong(req.getParameter("meeting"));
        String html = agendas.renderHtml(meetingId);
        List<String> attachments = agendas.attachmentNames(meetingId);
        sitePublisher.put("meetings/" + meetingId + "/index.html", html.getBytes(StandardCharsets.UTF_8));
        for (String attachment : attachments) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            Files.copy(new File(ATTACHMENT_DIR, attachment).toPath(), buf);
            sitePublisher.put("meetings/" + meetingId + "/" + attachment, buf.toByteArray());
        }
        if (agendas.hasMinutes(meetingId)) {
            minutesPublisher.put("meetings/" + meetingId + ".html", agendas.renderMinutes(meetingId).getBytes(StandardCharsets.UTF_8));
        }
        resp.sendRedirect(req.getContextPath() + "/council/agendas/preview?meeting=" + meetingId + "&published=1");
    }
}
