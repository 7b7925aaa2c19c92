package app;

/** A project that uses the plugin but has no specs yet. */
public final class App {
    private App() {}
}
