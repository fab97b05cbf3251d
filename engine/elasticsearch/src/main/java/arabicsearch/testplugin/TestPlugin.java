package arabicsearch.testplugin;

import static java.util.Map.entry;
import static org.elasticsearch.plugins.AnalysisPlugin.requiresAnalysisSettings;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ar.ArabicNormalizationFilter;
import org.apache.lucene.analysis.ar.ArabicStemFilter;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestHandler;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * TEST SCAFFOLDING ONLY. Elasticsearch's integ-test-zip distribution, the only one on
 * Maven Central, is the server without its modules: no analysis-common (the char and
 * token filters below) and no rest-root ({@code GET /}, which elasticsearch-py's
 * {@code info()} reads). This plugin supplies what the project's index and tests use,
 * each component over Lucene's own class and reading its settings as analysis-common's
 * factory of the same name does, so that the integration tests can run on a real
 * Elasticsearch node. A real cluster has analysis-common built in and needs nothing of
 * this: mappings/articles.json uses only built-in components.
 *
 * <p>The server's core already has what the index needs besides: the {@code standard}
 * tokenizer, the {@code stop} filter and {@code lowercase} by name.
 *
 * <p>Built for Elasticsearch 8.19 and 9.5 (see pom.xml): the two spots where their plugin
 * APIs differ are in src/es8 and src/es9 ({@link TokenFilterBase}, {@link RestHandlers}).
 */
public final class TestPlugin extends Plugin implements AnalysisPlugin, RestHandlers {

    private final AtomicReference<ClusterService> clusterService = new AtomicReference<>();

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        return Map.of(
            "mapping", requiresAnalysisSettings(Components.Mapping::new),
            "pattern_replace", requiresAnalysisSettings(Components.PatternReplaceChars::new)
        );
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        // A filter that needs no settings is also usable by its name alone ("arabic_stem"),
        // as in analysis-common; the others must be defined in the index settings.
        return Map.ofEntries(
            entry("arabic_normalization", normalizing(ArabicNormalizationFilter::new)),
            entry("arabic_stem", plain(ArabicStemFilter::new)),
            entry("decimal_digit", normalizing(DecimalDigitFilter::new)),
            entry("trim", Components.Trim::new),
            entry("keyword_marker", requiresAnalysisSettings(Components.KeywordMarker::new)),
            entry("stemmer_override", requiresAnalysisSettings(Components.StemmerOverride::new)),
            entry("ngram", Components.NGram::new),
            entry("pattern_replace", requiresAnalysisSettings(Components.PatternReplace::new)),
            entry("word_delimiter_graph", Components.WordDelimiterGraph::new),
            entry("length", Components.Length::new)
        );
    }

    private static AnalysisProvider<TokenFilterFactory> plain(UnaryOperator<TokenStream> filter) {
        return (indexSettings, env, name, settings) -> new Components.Plain(name, settings, filter);
    }

    private static AnalysisProvider<TokenFilterFactory> normalizing(UnaryOperator<TokenStream> filter) {
        return (indexSettings, env, name, settings) -> new Components.Normalizing(name, settings, filter);
    }

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService.set(services.clusterService());
        return List.of();
    }

    @Override
    public RestHandler rootHandler() {
        return new RootHandler(clusterService::get);
    }
}
