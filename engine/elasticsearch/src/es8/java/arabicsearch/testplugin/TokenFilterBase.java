package arabicsearch.testplugin;

import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;

/** Elasticsearch 8's AbstractTokenFilterFactory, which also takes the filter's settings. */
abstract class TokenFilterBase extends AbstractTokenFilterFactory {
    TokenFilterBase(String name, Settings settings) {
        super(name, settings);
    }
}
