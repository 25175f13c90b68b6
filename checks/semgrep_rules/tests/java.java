import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import javax.xml.parsers.DocumentBuilderFactory;

public class Samples {
    void commands(String input) throws Exception {
        // ruleid: java-runtime-exec-concatenation
        Runtime.getRuntime().exec("ping -c 1 " + input);
        Runtime runtime = Runtime.getRuntime();
        // ruleid: java-runtime-exec-concatenation
        runtime.exec(String.format("convert %s out.png", input));
        // ok: java-runtime-exec-concatenation
        Runtime.getRuntime().exec(new String[] {"ping", "-c", "1", input});
        // ok: java-runtime-exec-concatenation
        new ProcessBuilder("ping", "-c", "1", input).start();
    }

    void rotate(int keepDays) throws Exception {
        // the shell's script is an array element: java-command-injection decides by taint
        // ok: java-runtime-exec-concatenation
        Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "find /var/log/app -mtime +" + keepDays + " -delete"});
    }

    void rebuild(String rawId, long shard) throws Exception {
        long id = Long.parseLong(rawId);
        // ok: java-runtime-exec-concatenation
        Runtime.getRuntime().exec("/opt/app/bin/rebuild " + id);
        // ok: java-runtime-exec-concatenation
        Runtime.getRuntime().exec("/opt/app/bin/rebuild " + Integer.parseInt(rawId));
        // ruleid: java-runtime-exec-concatenation
        Runtime.getRuntime().exec("/opt/app/bin/rebuild " + rawId);
    }

    static final String EXPORT_DIR = "/srv/exports";

    void prune(int days, String pattern) throws Exception {
        // literals, constants and a number: nothing in the command comes from a caller's text
        // ok: java-runtime-exec-concatenation
        Runtime.getRuntime().exec("find " + EXPORT_DIR + "/archive -mtime +" + days + " -delete");
        // ok: java-runtime-exec-concatenation
        Runtime.getRuntime().exec("du -sh " + Config.EXPORT_DIR + " " + Config.ARCHIVE_DIR);
        // ruleid: java-runtime-exec-concatenation
        Runtime.getRuntime().exec("find " + EXPORT_DIR + " -name " + pattern + " -delete");
        // ruleid: java-runtime-exec-concatenation
        Runtime.getRuntime().exec(pattern + " " + EXPORT_DIR);
    }

    void queries(Connection conn, String id) throws Exception {
        Statement stmt = conn.createStatement();
        stmt.executeQuery("SELECT * FROM users WHERE id = '" + id + "'");
        conn.createStatement().execute("DELETE FROM sessions WHERE user_id = " + id);
        PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE id = ?");
        ps.setString(1, id);
        stmt.executeQuery("SELECT * FROM users");
    }

    byte[] digests(byte[] data) throws Exception {
        // ruleid: java-weak-message-digest
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        // ruleid: java-weak-message-digest
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        // ok: java-weak-message-digest
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        md5.update(data);
        sha1.update(data);
        return sha256.digest(data);
    }

    String cacheKeyFor(byte[] body) throws Exception {
        // ok: java-weak-message-digest
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        return java.util.HexFormat.of().formatHex(md5.digest(body));
    }

    ResponseEntity<byte[]> thumbnail(byte[] png) throws Exception {
        // ok: java-weak-message-digest
        String etag = java.util.HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(png));
        return ResponseEntity.ok().header(HttpHeaders.ETAG, etag).body(png);
    }

    byte[] signature(byte[] payload) throws Exception {
        // ruleid: java-weak-message-digest
        byte[] sig = MessageDigest.getInstance("MD5").digest(payload);
        return sig;
    }

    Object parsers() throws Exception {
        // ruleid: java-xxe-document-builder-factory
        DocumentBuilderFactory unsafe = DocumentBuilderFactory.newInstance();
        // ok: java-xxe-document-builder-factory
        DocumentBuilderFactory safe = DocumentBuilderFactory.newInstance();
        safe.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return new Object[] {unsafe.newDocumentBuilder(), safe.newDocumentBuilder()};
    }
}
