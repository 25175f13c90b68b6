package com.harbormutual.rating;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.vault.core.VaultTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

@RestController
@RequestMapping("/admin/rating")
public class RatingRulesConfigController {

    private static final Logger log = LoggerFactory.getLogger(RatingRulesConfigController.class);

    // vuln: CWE-798
    private static final byte[] FLAG_SIGNING_KEY = "hm-rating-flags-2021-9c1f0e7d".getBytes(StandardCharsets.UTF_8);

    private final YAMLMapper yamlMapper = new YAMLMapper();
    private final ObjectMapper jsonMapper = new ObjectMapper();
    private final SecureRandom secureRandom = new SecureRandom();
    private final VaultTemplate vault;
    private final Map<String, RatingTable> tableCache = new HashMap<>();

    @Value("${rating.db.url}")
    private String ratingDbUrl;

    public RatingRulesConfigController(VaultTemplate vault) {
        this.vault = vault;
    }

    @PostMapping(value = "/rules/yaml", consumes = "application/x-yaml")
    public Map<String, Object> uploadYamlRules(@RequestBody String yamlText) {
        Yaml yaml = new Yaml();
        // vuln: CWE-502
        Object parsed = yaml.load(yamlText);
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException("rules document must be a mapping");
        }
        Map<?, ?> rules = (Map<?, ?>) parsed;
        log.info("Loaded {} rating rule groups", rules.size());
        return Map.of("groups", rules.keySet());
    }

    @PostMapping(value = "/rules/yaml/v2", consumes = "application/x-yaml")
    public Map<String, Object> uploadYamlRulesV2(@RequestBody String yamlText) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        // safe: CWE-502
        Object parsed = yaml.load(yamlText);
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException("rules document must be a mapping");
        }
        Map<?, ?> rules = (Map<?, ?>) parsed;
        log.info("Loaded {} rating rule groups", rules.size());
        return Map.of("groups", rules.keySet());
    }

    @PostMapping(value = "/flags", consumes = "application/x-yaml")
    public FeatureFlags uploadFlags(@RequestBody String yamlText, @RequestParam("signature") String signature) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(FLAG_SIGNING_KEY, "HmacSHA256"));
        String expected = java.util.HexFormat.of().formatHex(mac.doFinal(yamlText.getBytes(StandardCharsets.UTF_8)));
        if (!expected.equalsIgnoreCase(signature)) {
            throw new SecurityException("flag document signature mismatch");
        }
        // safe: CWE-502
        return yamlMapper.readValue(yamlText, FeatureFlags.class);
    }

    @PostMapping(value = "/flags/v2", consumes = "application/x-yaml")
    public FeatureFlags uploadFlagsV2(@RequestBody String yamlText, @RequestParam("signature") String signature) throws Exception {
        // safe: CWE-798
        String signingKey = (String) vault.read("secret/rating/flag-signing").getData().get("key");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(signingKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = java.util.HexFormat.of().formatHex(mac.doFinal(yamlText.getBytes(StandardCharsets.UTF_8)));
        if (!expected.equalsIgnoreCase(signature)) {
            throw new SecurityException("flag document signature mismatch");
        }
        return yamlMapper.readValue(yamlText, FeatureFlags.class);
    }

    @PostMapping(value = "/cache/sync", consumes = "application/octet-stream")
    public Map<String, Object> syncCachedTable(@RequestParam("table") String tableName, InputStream body) throws IOException, ClassNotFoundException {
        ObjectInputStream ois = new ObjectInputStream(body);
        // vuln: CWE-502
        RatingTable table = (RatingTable) ois.readObject();
        tableCache.put(tableName, table);
        return Map.of("table", tableName, "factors", table.factors.size());
    }

    @PostMapping(value = "/cache/sync/v2", consumes = "application/json")
    public Map<String, Object> syncCachedTableV2(@RequestParam("table") String tableName, InputStream body) throws IOException {
        // safe: CWE-502
        RatingTable table = jsonMapper.readValue(body, RatingTable.class);
        tableCache.put(tableName, table);
        return Map.of("table", tableName, "factors", table.factors.size());
    }

    @PostMapping("/territories/xml")
    public Map<String, BigDecimal> uploadTerritoryFactors(@RequestParam("file") MultipartFile file) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setIgnoringComments(true);
        // vuln: CWE-611
        Document doc = dbf.newDocumentBuilder().parse(file.getInputStream());
        return territoryFactors(doc);
    }

    @PostMapping("/territories/xml/v2")
    public Map<String, BigDecimal> uploadTerritoryFactorsV2(@RequestParam("file") MultipartFile file) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setIgnoringComments(true);
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        // safe: CWE-611
        Document doc = dbf.newDocumentBuilder().parse(file.getInputStream());
        return territoryFactors(doc);
    }

    public Connection legacyRatingConnection() throws SQLException {
        // vuln: CWE-798
        return DriverManager.getConnection(ratingDbUrl, "rating_admin", "Rt9#harbor!admin");
    }

    public Connection ratingConnection() throws SQLException {
        // safe: CWE-798
        return DriverManager.getConnection(ratingDbUrl, System.getenv("RATING_DB_USER"), System.getenv("RATING_DB_PASSWORD"));
    }

    public byte[] encryptTableForDisk(byte[] serializedTable, byte[] legacyKey) throws GeneralSecurityException {
        SecretKeySpec key = new SecretKeySpec(legacyKey, "DESede");
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DESede/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, key);
        return cipher.doFinal(serializedTable);
    }

    public byte[] encryptTableForDiskV2(byte[] serializedTable, SecretKey aesKey) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        secureRandom.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(serializedTable);
        return ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array();
    }

    public byte[] obfuscateFlagsForEdge(String flagsJson, byte[] edgeKey) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher rc4 = Cipher.getInstance("RC4");
        rc4.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(edgeKey, "RC4"));
        return rc4.doFinal(flagsJson.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] protectFlagsForEdge(String flagsJson, byte[] edgeKey) throws GeneralSecurityException {
        byte[] nonce = new byte[12];
        secureRandom.nextBytes(nonce);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(edgeKey, "ChaCha20"), new IvParameterSpec(nonce));
        byte[] ct = cipher.doFinal(flagsJson.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
    }

    private Map<String, BigDecimal> territoryFactors(Document doc) {
        Map<String, BigDecimal> factors = new HashMap<>();
        NodeList territories = doc.getElementsByTagName("territory");
        for (int i = 0; i < territories.getLength(); i++) {
            Element t = (Element) territories.item(i);
            String code = t.getAttribute("code");
            String factor = t.getAttribute("factor");
            if (code.isEmpty() || factor.isEmpty()) {
                log.warn("Skipping territory entry {} with missing code/factor", i);
                continue;
            }
            factors.put(code, new BigDecimal(factor));
        }
        log.info("Parsed {} territory factors", factors.size());
        return factors;
    }

    public static class FeatureFlags {
        public boolean telematicsDiscount;
        public boolean creditBasedScoring;
        public Map<String, Boolean> stateOverrides = new HashMap<>();
        public List<String> pilotTerritories;
    }

    public static class RatingTable implements Serializable {
        private static final long serialVersionUID = 7L;
        public String name;
        public String effectiveDate;
        public Map<String, BigDecimal> factors = new HashMap<>();
    }
}
