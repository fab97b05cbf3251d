package arabicsearch;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node in this JVM, on 127.0.0.1: a real engine for the integration
 * tests and for development where no Docker engine runs.
 *
 * <pre>
 *   java -cp 'target/local-node.jar:target/lib/*' arabicsearch.LocalNode [--port N] [--data DIR] [--until-stdin-closes]
 *       [--name NODE --transport-port N --seed-hosts HOST:PORT,... --cluster-managers NODE,...]
 * </pre>
 *
 * Alone, the node is a cluster of its own (discovery.type: single-node). Given
 * --seed-hosts, it is one node of a cluster: it finds the others at those transport
 * addresses, and the first time the cluster forms, the nodes named by
 * --cluster-managers vote for its first cluster-manager. Each node of a cluster needs its
 * own --name, --transport-port and --data; a node started again on its data rejoins.
 *
 * --port 0 (the default) takes a free port. Once the node answers, one line goes to
 * standard output: {@code listening on http://127.0.0.1:PORT}; everything else goes to
 * standard error. Its home is a temporary folder, removed on exit; without --data its
 * data lives there too. The node stops on SIGINT/SIGTERM, and, with --until-stdin-closes,
 * when its standard input closes: a test fixture that dies takes its node with it.
 *
 * Only the plugins the project needs are loaded, from the class path (modules/ and
 * plugins/ stay empty). The bootstrap is not used, so neither the security manager
 * nor the jar-hell check runs: this is a test and development node, never a
 * production one.
 */
public final class LocalNode {
    private static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class, // HTTP
        CommonAnalysisPlugin.class, // arabic_normalization, arabic_stem, ngram, ...
        ReindexPlugin.class // _reindex
    );

    /** Node's plugin constructor is protected. */
    private static final class PluginNode extends Node {
        PluginNode(Settings settings) {
            super(
                InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "local"),
                PLUGINS,
                true
            );
        }
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        Path data = null;
        boolean untilStdinCloses = false;
        String name = "local";
        String transportPort = "0";
        String seedHosts = null;
        String clusterManagers = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--until-stdin-closes" -> untilStdinCloses = true;
                case "--name" -> name = args[++i];
                case "--transport-port" -> transportPort = Integer.toString(Integer.parseInt(args[++i]));
                case "--seed-hosts" -> seedHosts = args[++i];
                case "--cluster-managers" -> clusterManagers = args[++i];
                default -> {
                    System.err.println("local-node: unknown argument " + args[i]
                        + "; use --port N, --data DIR, --until-stdin-closes, --name NODE,"
                        + " --transport-port N, --seed-hosts HOST:PORT,...,"
                        + " --cluster-managers NODE,...");
                    System.exit(2);
                }
            }
        }
        if ((seedHosts == null) != (clusterManagers == null)) {
            System.err.println("local-node: a node of a cluster needs both --seed-hosts and"
                + " --cluster-managers; give both, or neither for a single node");
            System.exit(2);
        }
        // The home is always a temporary folder, removed on exit; without --data the
        // data lives in it, and goes with it.
        Path home = Files.createTempDirectory("arabic-search-node");
        if (data == null) {
            data = home.resolve("data");
        }
        Settings.Builder builder = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", data.toString())
            .put("cluster.name", "arabic-search-local")
            .put("node.name", name)
            .put("network.host", "127.0.0.1")
            .put("http.port", port == 0 ? "0" : Integer.toString(port))
            .put("transport.port", transportPort);
        if (seedHosts == null) {
            builder.put("discovery.type", "single-node");
        } else {
            builder.putList("discovery.seed_hosts", seedHosts.split(","))
                .putList("cluster.initial_cluster_manager_nodes", clusterManagers.split(","));
        }
        Settings settings = builder
            // As Elasticsearch 8+ does by default: no wildcard deletes.
            .put("action.destructive_requires_name", true)
            // A developer's nearly full disk must not turn indices read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("logger.level", "WARN")
            .build();
        // The port line alone on standard output; log4j's console appender (and
        // anything else that prints) writes to standard error.
        PrintStream out = System.out;
        System.setOut(System.err);
        LogConfigurator.configureWithoutConfig(settings);

        Node node = new PluginNode(settings).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Path homeToRemove = home;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(10, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.err.println("local-node: closing: " + e);
            }
            removeTree(homeToRemove);
            stopped.countDown();
        }, "local-node-shutdown"));

        HttpServerTransport http = node.injector().getInstance(HttpServerTransport.class);
        int bound = http.boundAddress().publishAddress().getPort();
        out.println("listening on http://127.0.0.1:" + bound);
        out.flush();

        if (untilStdinCloses) {
            InputStream in = System.in;
            while (in.read() != -1) {
                // read until the parent closes the pipe (or dies)
            }
            System.exit(0); // runs the shutdown hook
        }
        stopped.await();
    }

    private static void removeTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("local-node: could not remove " + root + ": " + e);
        }
    }
}
