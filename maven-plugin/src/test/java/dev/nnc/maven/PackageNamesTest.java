package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;

class PackageNamesTest {
    @Test
    void derivesThePackageFromTheFolderUnderTheSourceRoot() throws MojoFailureException {
        assertEquals(Optional.of("com.acme"), PackageNames.defaultPackage(null, "com/acme/xor.nn"));
        assertEquals(Optional.of("models"), PackageNames.defaultPackage("", "models/xor.nn"));
    }

    @Test
    void putsASpecInTheSourceRootIntoTheUnnamedPackage() throws MojoFailureException {
        assertEquals(Optional.empty(), PackageNames.defaultPackage(null, "xor.nn"));
    }

    @Test
    void prefersTheConfiguredPackageToTheFolder() throws MojoFailureException {
        assertEquals(Optional.of("org.example"), PackageNames.defaultPackage(" org.example ", "com/acme/xor.nn"));
        assertEquals(Optional.of("org.example"), PackageNames.defaultPackage("org.example", "xor.nn"));
    }

    @Test
    void rejectsAFolderThatIsNotAJavaIdentifier() {
        MojoFailureException e = assertThrows(
                MojoFailureException.class, () -> PackageNames.defaultPackage(null, "com/my-models/xor.nn"));
        assertTrue(e.getMessage().contains("'my-models' is not a Java identifier"), e.getMessage());
        assertTrue(e.getMessage().contains("com/my-models/xor.nn"), e.getMessage());
    }

    @Test
    void rejectsAFolderNamedLikeAJavaKeyword() {
        assertThrows(MojoFailureException.class, () -> PackageNames.defaultPackage(null, "com/class/xor.nn"));
    }

    @Test
    void rejectsAConfiguredNameThatIsNotAPackageName() {
        MojoFailureException e =
                assertThrows(MojoFailureException.class, () -> PackageNames.defaultPackage("com.1acme", "xor.nn"));
        assertTrue(e.getMessage().contains("'com.1acme'"), e.getMessage());
    }
}
