package dev.nnc.maven;

import dev.nnc.compiler.Compiler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Properties;

/**
 * Identifies the nnc compiler this plugin runs, for the incremental state: another compiler may
 * generate other code from the same specs. A release is named by its version; a snapshot also by
 * the hash of its jar, because rebuilding a snapshot changes the code and keeps the version.
 */
final class CompilerVersion {
    /** Written by the compiler's build; its command line reads it for {@code --version} too. */
    private static final String VERSION_PROPERTIES = "/dev/nnc/compiler/version.properties";

    private CompilerVersion() {}

    /** For example {@code 0.1.0} or {@code 0.1.0-SNAPSHOT+3f2a...}; {@code unknown} if the compiler has no version resource. */
    static String current() {
        String version = version();
        return version.endsWith("-SNAPSHOT") ? version + "+" + jarHash() : version;
    }

    private static String version() {
        try (InputStream in = Compiler.class.getResourceAsStream(VERSION_PROPERTIES)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String jarHash() {
        CodeSource source = Compiler.class.getProtectionDomain().getCodeSource();
        try {
            Path jar = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(jar) ? IncrementalState.sha256(Files.readAllBytes(jar)) : "unknown";
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return "unknown";
        }
    }
}
