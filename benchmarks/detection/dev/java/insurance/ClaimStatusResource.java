package com.harbormutual.claims;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.persistence.EntityManager;
import javax.persistence.PersistenceContext;
import javax.ws.rs.DefaultValue;
import javax.ws.rs.GET;
import javax.ws.rs.HeaderParam;
import javax.ws.rs.NotFoundException;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.MediaType;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;

import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.common.TemplateParserContext;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

@Path("/claims/status")
public class ClaimStatusResource {

    private static final Logger log = LoggerFactory.getLogger(ClaimStatusResource.class);
    private static final Set<String> STATUSES = Set.of("RECEIVED", "ASSIGNED", "INSPECTION", "APPROVED", "DENIED", "PAID", "CLOSED");
    private static final Pattern CLAIM_REF = Pattern.compile("^HM-[A-Z0-9]{8}$");
    private static final Map<String, String> PRESET_FILTERS = Map.of(
            "open", "status != 'CLOSED' and status != 'PAID'",
            "large", "reserveAmount > 25000",
            "recent", "daysSinceLoss < 30");

    private final ExpressionParser parser = new SpelExpressionParser();
    private final Document statusFeed;

    @PersistenceContext
    private EntityManager em;

    @Inject
    public ClaimStatusResource(StatusFeedLoader loader) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (InputStream in = loader.openLatestExport()) {
            this.statusFeed = dbf.newDocumentBuilder().parse(in);
        }
    }

    @GET
    @Path("/{claimRef}/timeline")
    @Produces(MediaType.APPLICATION_JSON)
    public List<String> timeline(@PathParam("claimRef") String claimRef) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        NodeList events = (NodeList) xpath.evaluate("/claims/claim[@ref='" + claimRef + "']/timeline/event", statusFeed, XPathConstants.NODESET);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < events.getLength(); i++) {
            out.add(events.item(i).getAttributes().getNamedItem("code").getNodeValue() + " " + events.item(i).getTextContent());
        }
        return out;
    }

    @GET
    @Path("/{claimRef}/current")
    @Produces(MediaType.TEXT_PLAIN)
    public String current(@PathParam("claimRef") String claimRef) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setXPathVariableResolver((QName name) -> "ref".equals(name.getLocalPart()) ? claimRef : null);
        // safe: CWE-643
        String status = xpath.evaluate("/claims/claim[@ref=$ref]/status", statusFeed);
        if (status == null || status.isEmpty()) {
            throw new NotFoundException();
        }
        return status;
    }

    @GET
    @Path("/search")
    @Produces(MediaType.APPLICATION_JSON)
    public List<String> searchByClaimant(@QueryParam("lastName") String lastName,
                                         @QueryParam("status") @DefaultValue("RECEIVED") String status) throws XPathExpressionException {
        String expr = String.format("//claim[claimant/lastName='%s' and status='%s']/@ref", lastName, status);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        NodeList refs = (NodeList) xpath.compile(expr).evaluate(statusFeed, XPathConstants.NODESET);
        return toValues(refs);
    }

    @GET
    @Path("/by-status/{status}")
    @Produces(MediaType.APPLICATION_JSON)
    public List<String> byStatus(@PathParam("status") String status) throws XPathExpressionException {
        String normalized = status.toUpperCase(Locale.ROOT);
        if (!STATUSES.contains(normalized)) {
            throw new WebApplicationException("Unknown status", 400);
        }
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        NodeList refs = (NodeList) xpath.evaluate("//claim[status='" + normalized + "']/@ref", statusFeed, XPathConstants.NODESET);
        return toValues(refs);
    }

    @GET
    @Path("/filter")
    @Produces(MediaType.APPLICATION_JSON)
    public List<ClaimSummary> filter(@QueryParam("holderId") long holderId, @QueryParam("where") String where) {
        List<ClaimSummary> claims = loadSummaries(holderId);
        if (where == null || where.isBlank()) {
            return claims;
        }
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        // vuln: CWE-94
        return claims.stream().filter(c -> Boolean.TRUE.equals(parser.parseExpression(where).getValue(ctx, c, Boolean.class))).collect(Collectors.toList());
    }

    @GET
    @Path("/filter/v2")
    @Produces(MediaType.APPLICATION_JSON)
    public List<ClaimSummary> filterV2(@QueryParam("holderId") long holderId, @QueryParam("where") String where) {
        List<ClaimSummary> claims = loadSummaries(holderId);
        if (where == null || where.isBlank()) {
            return claims;
        }
        SimpleEvaluationContext ctx = SimpleEvaluationContext.forReadOnlyDataBinding().build();
        // safe: CWE-94
        return claims.stream().filter(c -> Boolean.TRUE.equals(parser.parseExpression(where).getValue(ctx, c, Boolean.class))).collect(Collectors.toList());
    }

    @GET
    @Path("/filter/preset/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    public List<ClaimSummary> presetFilter(@QueryParam("holderId") long holderId, @PathParam("name") String name) {
        String preset = PRESET_FILTERS.get(name);
        if (preset == null) {
            throw new NotFoundException();
        }
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        // safe: CWE-94
        Expression condition = parser.parseExpression(preset);
        return loadSummaries(holderId).stream()
                .filter(c -> Boolean.TRUE.equals(condition.getValue(ctx, c, Boolean.class)))
                .collect(Collectors.toList());
    }

    @GET
    @Path("/{claimRef}/banner")
    @Produces(MediaType.TEXT_PLAIN)
    public String banner(@PathParam("claimRef") String claimRef, @HeaderParam("X-Banner-Template") String template) {
        ClaimSummary summary = loadSummary(claimRef);
        String effective = template == null ? "Claim #{claimRef} is #{status}" : template;
        StandardEvaluationContext ctx = new StandardEvaluationContext(summary);
        // vuln: CWE-94
        return parser.parseExpression(effective, new TemplateParserContext()).getValue(ctx, String.class);
    }

    @GET
    @Path("/{claimRef}")
    @Produces(MediaType.TEXT_HTML)
    public String statusPage(@PathParam("claimRef") String claimRef) {
        if (!CLAIM_REF.matcher(claimRef).matches()) {
            // vuln: CWE-79
            return "<html><body><h1>Claim not found</h1><p>We could not find claim " + claimRef + ". Check the reference in your confirmation email.</p></body></html>";
        }
        ClaimSummary summary = loadSummary(claimRef);
        // safe: CWE-79
        return "<html><body><h1>Claim " + claimRef + "</h1><p>Status: " + Encode.forHtml(summary.getStatus()) + "</p></body></html>";
    }

    @GET
    @Path("/{claimRef}/adjuster-note")
    @Produces(MediaType.TEXT_HTML)
    public String adjusterNote(@PathParam("claimRef") String claimRef, @QueryParam("highlight") String highlight) {
        ClaimSummary summary = loadSummary(claimRef);
        String note = summary.getAdjusterNote() == null ? "" : summary.getAdjusterNote();
        // safe: CWE-79
        return "<div class=\"note\" data-highlight=\"" + Encode.forHtmlAttribute(highlight) + "\">" + Encode.forHtml(note) + "</div>";
    }

    @GET
    @Path("/adjuster/{code}")
    @Produces(MediaType.APPLICATION_JSON)
    public List<ClaimSummary> byAdjuster(@PathParam("code") String adjusterCode, @QueryParam("page") @DefaultValue("0") int page) {
        // vuln: CWE-89
        return em.createQuery("SELECT c FROM ClaimSummary c WHERE c.adjusterCode = '" + adjusterCode + "' ORDER BY c.reportedAt DESC", ClaimSummary.class).setFirstResult(page * 25).setMaxResults(25).getResultList();
    }

    private ClaimSummary loadSummary(String claimRef) {
        // safe: CWE-89
        List<ClaimSummary> found = em.createQuery("SELECT c FROM ClaimSummary c WHERE c.claimRef = :ref", ClaimSummary.class).setParameter("ref", claimRef).getResultList();
        if (found.isEmpty()) {
            throw new NotFoundException();
        }
        return found.get(0);
    }

    private List<ClaimSummary> loadSummaries(long holderId) {
        return em.createQuery("SELECT c FROM ClaimSummary c WHERE c.holderId = :holder", ClaimSummary.class)
                .setParameter("holder", holderId)
                .setMaxResults(200)
                .getResultList();
    }

    private static List<String> toValues(NodeList nodes) {
        List<String> values = new ArrayList<>(nodes.getLength());
        for (int i = 0; i < nodes.getLength(); i++) {
            values.add(nodes.item(i).getNodeValue());
        }
        return values;
    }

    public interface StatusFeedLoader {
        InputStream openLatestExport() throws IOException;
    }
}
