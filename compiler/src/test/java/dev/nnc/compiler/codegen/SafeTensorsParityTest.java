package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Numerics.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Network;
import dev.nnc.runtime.SafeTensors;
import dev.nnc.runtime.TrainableNetwork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SafeTensors} against PyTorch, from the fixtures of {@code
 * src/test/python/safetensors_fixtures.py}: {@code state_dict}s that {@code
 * safetensors.torch.save_file} wrote for a network of each layer kind (dense, conv1d, conv2d,
 * rnn/gru/lstm, batch_norm with its running statistics, embedding and layer_norm; the dense one
 * also in F16 and BF16), and the predictions PyTorch computes with them.
 *
 * <p>Read into the spec's network compiled with {@code precision float}, the predictions are
 * PyTorch's in float32 to 1e-6; read into the double network, they are PyTorch's in float64 with
 * the same weights to 1e-12, which a single misplaced element of any layout would break. Written
 * back, the file is PyTorch's, byte for byte (the batch counter aside), and a round trip nnc, file,
 * nnc is bitwise in F64 for double networks and in F32 for float ones.
 */
class SafeTensorsParityTest {
    private static final String DIRECTORY = "safetensors";
    private static final double FLOAT_TOLERANCE = 1e-6;
    private static final double DOUBLE_TOLERANCE = 1e-12;

    /** Where the files nnc writes go, for {@code safetensors_fixtures.py --check}. */
    private static final Path FROM_NNC = Path.of("target", "safetensors-from-nnc");

    private static final Map<String, GeneratedClasses> COMPILED = new ConcurrentHashMap<>();

    static Stream<String> fixtures() {
        return Stream.of("dense", "dense_f16", "dense_bf16", "conv1d", "conv2d", "recurrent", "norms", "lookup");
    }

    @Test
    void theFixturesAreTheListedOnes() throws IOException {
        try (Stream<Path> files = Files.list(directory())) {
            Set<String> names =
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            Set<String> expected = new TreeSet<>();
            fixtures().forEach(name -> {
                expected.add(name + ".txt");
                expected.add(name + ".safetensors");
            });
            assertEquals(expected, names, "run src/test/python/safetensors_fixtures.py");
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void floatPredictionsAfterReadingArePyTorchs(String name) throws IOException {
        Fixture fixture = Fixture.read(name);
        Network network = fixture.network(true);
        try (InputStream in = fixture.file()) {
            SafeTensors.read(in, network);
        }
        assertAllClose(fixture.numbers("predictions_f32"), fixture.predict(network), 0, FLOAT_TOLERANCE, name);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void doublePredictionsAfterReadingArePyTorchsInDouble(String name) throws IOException {
        Fixture fixture = Fixture.read(name);
        Network network = fixture.network(false);
        try (InputStream in = fixture.file()) {
            SafeTensors.read(in, network);
        }
        assertAllClose(fixture.numbers("predictions_f64"), fixture.predict(network), 0, DOUBLE_TOLERANCE, name);
    }

    /**
     * A float network that read PyTorch's file writes PyTorch's file: the same bytes for an F32
     * file, the same names, shapes and values (widened exactly to F32) for F16 and BF16, and 0 for
     * the batch norms' counters, which nnc does not keep.
     */
    @ParameterizedTest
    @MethodSource("fixtures")
    void writesWhatPyTorchWrote(String name) throws IOException {
        Fixture fixture = Fixture.read(name);
        Network network = fixture.network(true);
        byte[] pytorch;
        try (InputStream in = fixture.file()) {
            pytorch = in.readAllBytes();
        }
        SafeTensors.read(new ByteArrayInputStream(pytorch), network);
        byte[] nnc = write(network, null);
        List<SafeTensors.Tensor> theirs = SafeTensors.readTensors(new ByteArrayInputStream(pytorch));
        List<SafeTensors.Tensor> ours = SafeTensors.readTensors(new ByteArrayInputStream(nnc));
        assertEquals(names(theirs), names(ours), name);
        for (int t = 0; t < theirs.size(); t++) {
            SafeTensors.Tensor mine = ours.get(t);
            String what = name + " " + mine.name();
            assertArrayEquals(theirs.get(t).shape(), mine.shape(), what);
            if (mine.name().endsWith(".num_batches_tracked")) {
                assertEquals("I64", mine.dtype(), what);
                assertArrayEquals(new double[] {0}, mine.values(), what);
            } else {
                assertEquals("F32", mine.dtype(), what);
                assertArrayEquals(theirs.get(t).values(), mine.values(), what);
            }
        }
        if (theirs.stream().allMatch(t -> t.dtype().equals("F32"))) {
            assertArrayEquals(pytorch, nnc, name + ": nnc's file is PyTorch's");
        }
        Files.createDirectories(FROM_NNC);
        Files.write(FROM_NNC.resolve(name + ".safetensors"), nnc);
        Network twin = fixture.network(false);
        SafeTensors.read(new ByteArrayInputStream(pytorch), twin);
        Files.write(FROM_NNC.resolve(name + ".f64.safetensors"), write(twin, SafeTensors.F64));
    }

    /**
     * After a training step (which moves a batch norm's running statistics), a network written
     * and read into a fresh instance has bitwise the same parameters and buffers: in F64 for a
     * double network, in F32 for a float one.
     */
    @ParameterizedTest
    @MethodSource("fixtures")
    void roundTripsBitForBit(String name) throws IOException {
        Fixture fixture = Fixture.read(name);
        for (boolean single : new boolean[] {false, true}) {
            TrainableNetwork trained = fixture.network(single);
            trained.trainStep(
                    fixture.numbers("xs"), new double[fixture.samples() * trained.targetSize()], fixture.samples());
            byte[] file = write(trained, null);
            assertTrue(
                    SafeTensors.readTensors(new ByteArrayInputStream(file)).stream()
                            .filter(t -> !t.dtype().equals("I64"))
                            .allMatch(t -> t.dtype().equals(single ? "F32" : "F64")),
                    name + ": dtype");
            Network read = fixture.network(single);
            SafeTensors.read(new ByteArrayInputStream(file), read);
            assertBitwise(Networks.parameters(trained), Networks.parameters(read), name + " parameters");
            assertBitwise(buffers(trained), buffers(read), name + " buffers");
            assertBitwise(fixture.predict(trained), fixture.predict(read), name + " predictions");
        }
    }

    @Test
    void generatedNetworksReportTheirBufferShapes() throws IOException {
        Network network = Fixture.read("norms").network(false);
        assertEquals(
                List.of("a.running_mean", "a.running_var", "b.running_mean", "b.running_var"), network.bufferNames());
        assertEquals(
                List.of("[3]", "[3]", "[4]", "[4]"),
                network.bufferShapes().stream().map(Arrays::toString).toList());
        Network dense = Fixture.read("dense").network(false);
        assertEquals(List.of(), dense.bufferShapes());
        dense.getBuffers(new double[0]);
    }

    private static byte[] write(Network network, String dtype) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (dtype == null) {
            SafeTensors.write(network, out);
        } else {
            SafeTensors.write(network, out, dtype);
        }
        return out.toByteArray();
    }

    private static List<String> names(List<SafeTensors.Tensor> tensors) {
        return tensors.stream().map(SafeTensors.Tensor::name).toList();
    }

    private static double[] buffers(Network network) {
        int count = network.bufferShapes().stream()
                .mapToInt(shape -> Arrays.stream(shape).reduce(1, (a, b) -> a * b))
                .sum();
        double[] values = new double[count];
        network.getBuffers(values);
        return values;
    }

    private static void assertBitwise(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(
                    Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]), what + " " + i);
        }
    }

    private static Path directory() {
        URL url = SafeTensorsParityTest.class.getResource("/" + DIRECTORY);
        assertTrue(url != null, "no fixtures " + DIRECTORY + " on the test class path");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One fixture: the spec, the batch and PyTorch's predictions, beside its safetensors file. */
    private record Fixture(String name, Map<String, String> lines) {

        static Fixture read(String name) {
            Map<String, String> lines = new HashMap<>();
            try {
                for (String line : Files.readAllLines(directory().resolve(name + ".txt"), StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        int space = line.indexOf(' ');
                        lines.put(
                                line.substring(0, space),
                                line.substring(space + 1).strip());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Fixture(name, lines);
        }

        InputStream file() throws IOException {
            return Files.newInputStream(directory().resolve(name + ".safetensors"));
        }

        int samples() {
            return Integer.parseInt(lines.get("samples"));
        }

        double[] numbers(String key) {
            assertTrue(lines.containsKey(key), name + " has no " + key);
            return Arrays.stream(lines.get(key).split(" +"))
                    .mapToDouble(Double::parseDouble)
                    .toArray();
        }

        /** A fresh instance of the spec's network, in float with {@code single}. */
        TrainableNetwork network(boolean single) {
            String spec = lines.get("spec");
            String className =
                    spec.substring("network ".length(), spec.indexOf('{')).strip();
            String source = single ? spec.replaceFirst("\\{", "{ precision float;") : spec;
            return COMPILED.computeIfAbsent(source, s -> GeneratedClasses.compile(className + ".nn", s))
                    .newInstance(className);
        }

        double[] predict(Network network) {
            double[] outputs = new double[samples() * network.outputSize()];
            network.predict(numbers("xs"), samples(), outputs);
            return outputs;
        }
    }
}
