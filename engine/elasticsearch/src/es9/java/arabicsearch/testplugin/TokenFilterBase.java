package arabicsearch.testplugin;

import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;

/** Elasticsearch 9's AbstractTokenFilterFactory, which takes the name alone. */
abstract class TokenFilterBase extends AbstractTokenFilterFactory {
    TokenFilterBase(String name, Settings settings) {
        super(name);
    }
}
