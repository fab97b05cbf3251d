package arabicsearch.testplugin;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.PatternKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.SetKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterIterator;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.apache.lucene.analysis.pattern.PatternReplaceFilter;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.regex.Regex;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractCharFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plugin's char and token filters (see {@link TestPlugin}, test scaffolding only).
 * Each reads its settings, with the same names, defaults and refusals, as the factory
 * of the same name in Elasticsearch's modules/analysis-common (8.19 and 9.5), so an
 * index behaves here as on a real cluster. Implementing a Normalizing* interface, as
 * analysis-common's factory does, is what lets a normalizer use the component.
 */
final class Components {
    private Components() {}

    /** A token filter without settings: Lucene's filter around the stream. */
    static class Plain extends TokenFilterBase {
        private final UnaryOperator<TokenStream> filter;

        Plain(String name, Settings settings, UnaryOperator<TokenStream> filter) {
            super(name, settings);
            this.filter = filter;
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return filter.apply(tokenStream);
        }
    }

    /** The same, for filters that a normalizer may use (arabic_normalization, decimal_digit). */
    static final class Normalizing extends Plain implements NormalizingTokenFilterFactory {
        Normalizing(String name, Settings settings, UnaryOperator<TokenStream> filter) {
            super(name, settings, filter);
        }
    }

    /** mapping: rules {@code from => to}, with \\uXXXX, \\n, \\t... escapes (MappingCharFilterFactory). */
    static final class Mapping extends AbstractCharFilterFactory implements NormalizingCharFilterFactory {
        private static final Pattern RULE = Pattern.compile("(.*)\\s*=>\\s*(.*)\\s*$");
        private final NormalizeCharMap map;

        Mapping(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name);
            List<String> rules = Analysis.getWordList(env, settings, "mappings");
            if (rules == null) {
                throw new IllegalArgumentException("mapping requires either `mappings` or `mappings_path` to be configured");
            }
            NormalizeCharMap.Builder builder = new NormalizeCharMap.Builder();
            for (String rule : rules) {
                Matcher m = RULE.matcher(rule);
                if (m.find() == false) {
                    throw new RuntimeException("Invalid Mapping Rule : [" + rule + "]");
                }
                builder.add(unescape(m.group(1).trim()), unescape(m.group(2).trim()));
            }
            map = builder.build();
        }

        /** analysis-common's parseString: a backslash escapes the next character. */
        private static String unescape(String s) {
            StringBuilder out = new StringBuilder(s.length());
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '\\') {
                    if (i >= s.length()) {
                        throw new RuntimeException("Invalid escaped char in [" + s + "]");
                    }
                    c = s.charAt(i++);
                    switch (c) {
                        case 'n' -> c = '\n';
                        case 't' -> c = '\t';
                        case 'r' -> c = '\r';
                        case 'b' -> c = '\b';
                        case 'f' -> c = '\f';
                        case 'u' -> {
                            if (i + 3 >= s.length()) {
                                throw new RuntimeException("Invalid escaped char in [" + s + "]");
                            }
                            c = (char) Integer.parseInt(s.substring(i, i + 4), 16);
                            i += 4;
                        }
                        default -> {} // \\ and any other character stand for themselves
                    }
                }
                out.append(c);
            }
            return out.toString();
        }

        @Override
        public Reader create(Reader reader) {
            return new MappingCharFilter(map, reader);
        }
    }

    /** pattern_replace char filter: pattern, flags, replacement (PatternReplaceCharFilterFactory). */
    static final class PatternReplaceChars extends AbstractCharFilterFactory implements NormalizingCharFilterFactory {
        private final Pattern pattern;
        private final String replacement;

        PatternReplaceChars(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name);
            String source = settings.get("pattern");
            if (Strings.hasLength(source) == false) {
                throw new IllegalArgumentException("pattern is missing for [" + name + "] char filter of type 'pattern_replace'");
            }
            pattern = Regex.compile(source, settings.get("flags"));
            replacement = settings.get("replacement", "");
        }

        @Override
        public Reader create(Reader reader) {
            return new PatternReplaceCharFilter(pattern, replacement, reader);
        }
    }

    /** trim (TrimTokenFilterFactory). */
    static final class Trim extends TokenFilterBase implements NormalizingTokenFilterFactory {
        Trim(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            if (settings.get("update_offsets") != null) {
                throw new IllegalArgumentException("update_offsets is not supported anymore. Please fix your analysis chain");
            }
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new TrimFilter(tokenStream);
        }
    }

    /** keyword_marker: keywords or keywords_path, ignore_case; or keywords_pattern (KeywordMarkerTokenFilterFactory). */
    static final class KeywordMarker extends TokenFilterBase {
        private final CharArraySet keywords;
        private final Pattern keywordPattern;

        KeywordMarker(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            boolean ignoreCase = settings.getAsBoolean("ignore_case", false);
            String patternString = settings.get("keywords_pattern");
            if (patternString != null) {
                if (settings.get("keywords") != null || settings.get("keywords_path") != null) {
                    throw new IllegalArgumentException("cannot specify both `keywords_pattern` and `keywords` or `keywords_path`");
                }
                keywordPattern = Pattern.compile(patternString);
                keywords = null;
            } else {
                CharArraySet rules = Analysis.getWordSet(env, settings, "keywords");
                if (rules == null) {
                    throw new IllegalArgumentException(
                        "keyword filter requires either `keywords`, `keywords_path`, or `keywords_pattern` to be configured"
                    );
                }
                keywords = new CharArraySet(rules, ignoreCase);
                keywordPattern = null;
            }
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            if (keywordPattern != null) {
                return new PatternKeywordMarkerFilter(tokenStream, keywordPattern);
            }
            return new SetKeywordMarkerFilter(tokenStream, keywords);
        }
    }

    /** stemmer_override: rules or rules_path, {@code a, b => c} (StemmerOverrideTokenFilterFactory). */
    static final class StemmerOverride extends TokenFilterBase {
        private final StemmerOverrideFilter.StemmerOverrideMap overrides;

        StemmerOverride(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            List<String> rules = Analysis.getWordList(env, settings, "rules");
            if (rules == null) {
                throw new IllegalArgumentException("stemmer_override requires either `rules` or `rules_path` to be configured");
            }
            StemmerOverrideFilter.Builder builder = new StemmerOverrideFilter.Builder(false);
            for (String rule : rules) {
                String[] sides = rule.split("=>", -1);
                String override = sides.length == 2 ? sides[1].trim() : "";
                if (override.isEmpty() || override.indexOf(',') != -1) {
                    throw new RuntimeException("Invalid Keyword override Rule:" + rule);
                }
                for (String key : sides[0].split(",", -1)) {
                    if (key.trim().isEmpty()) {
                        throw new RuntimeException("Invalid Keyword override Rule:" + rule);
                    }
                    builder.add(key.trim(), override);
                }
            }
            try {
                overrides = builder.build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new StemmerOverrideFilter(tokenStream, overrides);
        }
    }

    /** ngram: min_gram 1, max_gram 2, preserve_original, within index.max_ngram_diff (NGramTokenFilterFactory). */
    static final class NGram extends TokenFilterBase {
        private final int minGram;
        private final int maxGram;
        private final boolean preserveOriginal;

        NGram(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            int maxAllowedNgramDiff = indexSettings.getMaxNgramDiff();
            minGram = settings.getAsInt("min_gram", 1);
            maxGram = settings.getAsInt("max_gram", 2);
            int ngramDiff = maxGram - minGram;
            if (ngramDiff > maxAllowedNgramDiff) {
                throw new IllegalArgumentException(
                    "The difference between max_gram and min_gram in NGram Tokenizer must be less than or equal to: ["
                        + maxAllowedNgramDiff
                        + "] but was ["
                        + ngramDiff
                        + "]. This limit can be set by changing the ["
                        + IndexSettings.MAX_NGRAM_DIFF_SETTING.getKey()
                        + "] index level setting."
                );
            }
            preserveOriginal = settings.getAsBoolean("preserve_original", false);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new NGramTokenFilter(tokenStream, minGram, maxGram, preserveOriginal);
        }
    }

    /** pattern_replace token filter: pattern, flags, replacement "", all true (PatternReplaceTokenFilterFactory). */
    static final class PatternReplace extends TokenFilterBase implements NormalizingTokenFilterFactory {
        private final Pattern pattern;
        private final String replacement;
        private final boolean all;

        PatternReplace(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            String source = settings.get("pattern", null);
            if (source == null) {
                throw new IllegalArgumentException("pattern is missing for [" + name + "] token filter of type 'pattern_replace'");
            }
            pattern = Regex.compile(source, settings.get("flags"));
            replacement = settings.get("replacement", "");
            all = settings.getAsBoolean("all", true);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new PatternReplaceFilter(tokenStream, pattern, replacement, all);
        }
    }

    /**
     * word_delimiter_graph (WordDelimiterGraphTokenFilterFactory): the flags with Elasticsearch's
     * defaults, protected_words(_path), adjust_offsets, and type_table(_path): rules "c => TYPE",
     * c one character or a \\uXXXX escape, TYPE one of WordDelimiterFilter's type names.
     */
    static final class WordDelimiterGraph extends TokenFilterBase {
        private static final Map<String, Integer> TYPES = Map.of(
            "LOWER", WordDelimiterFilter.LOWER,
            "UPPER", WordDelimiterFilter.UPPER,
            "ALPHA", WordDelimiterFilter.ALPHA,
            "DIGIT", WordDelimiterFilter.DIGIT,
            "ALPHANUM", WordDelimiterFilter.ALPHANUM,
            "SUBWORD_DELIM", WordDelimiterFilter.SUBWORD_DELIM
        );
        private static final Pattern RULE = Pattern.compile("^\\s*(\\\\u[0-9A-Fa-f]{4}|\\S)\\s*=>\\s*(\\w+)\\s*$");

        private final byte[] typeTable;
        private final int flags;
        private final CharArraySet protectedWords;
        private final boolean adjustOffsets;

        WordDelimiterGraph(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            List<String> rules = Analysis.getWordList(env, settings, "type_table");
            typeTable = rules == null ? WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE : typeTable(name, rules);
            int f = 0;
            f |= flag(settings, "generate_word_parts", true, WordDelimiterGraphFilter.GENERATE_WORD_PARTS);
            f |= flag(settings, "generate_number_parts", true, WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS);
            f |= flag(settings, "catenate_words", false, WordDelimiterGraphFilter.CATENATE_WORDS);
            f |= flag(settings, "catenate_numbers", false, WordDelimiterGraphFilter.CATENATE_NUMBERS);
            f |= flag(settings, "catenate_all", false, WordDelimiterGraphFilter.CATENATE_ALL);
            f |= flag(settings, "split_on_case_change", true, WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE);
            f |= flag(settings, "preserve_original", false, WordDelimiterGraphFilter.PRESERVE_ORIGINAL);
            f |= flag(settings, "split_on_numerics", true, WordDelimiterGraphFilter.SPLIT_ON_NUMERICS);
            f |= flag(settings, "stem_english_possessive", true, WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE);
            f |= flag(settings, "ignore_keywords", false, WordDelimiterGraphFilter.IGNORE_KEYWORDS);
            flags = f;
            CharArraySet words = Analysis.getWordSet(env, settings, "protected_words");
            protectedWords = words == null ? null : CharArraySet.copy(words);
            adjustOffsets = settings.getAsBoolean("adjust_offsets", true);
        }

        /** The default table of every character up to the highest one named, then the rules. */
        private static byte[] typeTable(String name, List<String> rules) {
            Map<Character, Byte> types = new HashMap<>();
            for (String rule : rules) {
                Matcher m = RULE.matcher(rule);
                Integer type = m.matches() ? TYPES.get(m.group(2)) : null;
                if (type == null) {
                    throw new IllegalArgumentException("[" + name + "]: invalid type_table rule [" + rule + "]");
                }
                String c = m.group(1);
                types.put(c.length() == 1 ? c.charAt(0) : (char) Integer.parseInt(c.substring(2), 16), type.byteValue());
            }
            int size = Math.max(WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE.length, Collections.max(types.keySet()) + 1);
            byte[] table = new byte[size];
            for (int i = 0; i < size; i++) {
                table[i] = WordDelimiterIterator.getType(i);
            }
            types.forEach((c, type) -> table[c] = type);
            return table;
        }

        private static int flag(Settings settings, String key, boolean defaultValue, int flag) {
            return settings.getAsBoolean(key, defaultValue) ? flag : 0;
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new WordDelimiterGraphFilter(
                tokenStream,
                adjustOffsets,
                typeTable,
                flags,
                protectedWords
            );
        }
    }

    /** length: min 0, max Integer.MAX_VALUE (LengthTokenFilterFactory). */
    static final class Length extends TokenFilterBase {
        private final int min;
        private final int max;

        Length(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            min = settings.getAsInt("min", 0);
            max = settings.getAsInt("max", Integer.MAX_VALUE);
            if (settings.get("enable_position_increments") != null) {
                throw new IllegalArgumentException(
                    "enable_position_increments is not supported anymore. Please fix your analysis chain"
                );
            }
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new LengthFilter(tokenStream, min, max);
        }
    }
}
