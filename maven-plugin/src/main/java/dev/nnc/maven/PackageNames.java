package dev.nnc.maven;

import java.util.Optional;
import javax.lang.model.SourceVersion;
import org.apache.maven.plugin.MojoFailureException;

/**
 * The Java package for the classes of a spec that has no {@code package} line: the configured
 * {@code packageName} when there is one, otherwise the spec's folder under the source root, as
 * for {@code src/main/java} ({@code src/main/nn/com/acme/xor.nn} gives {@code com.acme}). A spec
 * directly in the source root, with no {@code packageName}, goes to the unnamed package.
 */
final class PackageNames {
    private PackageNames() {}

    /**
     * @param configured the {@code packageName} parameter; null or blank when not set
     * @param relativePath the spec's path under the source root, with {@code /} separators
     * @throws MojoFailureException when the configured name or a folder is not a Java package name
     */
    static Optional<String> defaultPackage(String configured, String relativePath) throws MojoFailureException {
        if (configured != null && !configured.isBlank()) {
            String name = configured.strip();
            if (!SourceVersion.isName(name)) {
                throw new MojoFailureException("nnc: packageName '" + name + "' is not a Java package name");
            }
            return Optional.of(name);
        }
        int slash = relativePath.lastIndexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String folder = relativePath.substring(0, slash);
        for (String segment : folder.split("/", -1)) {
            if (!SourceVersion.isIdentifier(segment) || SourceVersion.isKeyword(segment)) {
                throw new MojoFailureException("nnc: cannot take a Java package from the folder of " + relativePath
                        + ": '" + segment + "' is not a Java identifier. Rename the folder, give the spec a"
                        + " package line, or set <packageName>.");
            }
        }
        return Optional.of(folder.replace('/', '.'));
    }
}
