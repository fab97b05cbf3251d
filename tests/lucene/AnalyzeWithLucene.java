// Runs analyzers built with Lucene's CustomAnalyzer over framed sentences and prints
// their tokens, for the parity test (tests/test_lucene_parity.py), which writes the spec
// and compiles this against each Lucene version it tests (9.12 and 10.x, see pom.xml).
//
// usage: java AnalyzeWithLucene RESOURCE_DIR SPEC SENTENCES OUT
//   SPEC: blocks of lines "analyzer NAME", "charfilter SPI k=v...", "tokenizer SPI k=v...",
//         "filter SPI k=v...", "end"; files named in k=v are read from RESOURCE_DIR;
//         each v is percent-encoded.
//   SENTENCES: repeated (4-byte big-endian length, UTF-8 bytes).
//   OUT: per sentence, per analyzer (in spec order), one line of tokens separated by TAB,
//        each token "term US start US end US position", offsets in code points, the term
//        as its code points in hex joined by '.', since a keyword term may hold TAB or LF.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.custom.CustomAnalyzer;
import org.apache.lucene.analysis.tokenattributes.*;

public class AnalyzeWithLucene {
  static Map<String, String> params(String[] parts) {
    Map<String, String> p = new HashMap<>();
    for (int i = 2; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      // Values are percent-encoded, so that one may hold a space (a replacement).
      String value = parts[i].substring(eq + 1);
      p.put(parts[i].substring(0, eq), java.net.URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return p;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Paths.get(args[0]);
    List<Analyzer> analyzers = new ArrayList<>();
    CustomAnalyzer.Builder b = null;
    for (String line : Files.readAllLines(Paths.get(args[1]), StandardCharsets.UTF_8)) {
      String[] parts = line.trim().split(" ");
      switch (parts[0]) {
        case "analyzer": b = CustomAnalyzer.builder(dir); break;
        case "charfilter": b.addCharFilter(parts[1], params(parts)); break;
        case "tokenizer": b.withTokenizer(parts[1], params(parts)); break;
        case "filter": b.addTokenFilter(parts[1], params(parts)); break;
        case "end": analyzers.add(b.build()); break;
        default: if (!parts[0].isEmpty()) throw new IllegalArgumentException(line);
      }
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(args[2])));
         Writer out = new BufferedWriter(new OutputStreamWriter(new FileOutputStream(args[3]), StandardCharsets.UTF_8))) {
      while (in.available() > 0) {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (Analyzer a : analyzers) {
          StringBuilder sb = new StringBuilder();
          try (TokenStream ts = a.tokenStream("f", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            OffsetAttribute off = ts.addAttribute(OffsetAttribute.class);
            PositionIncrementAttribute inc = ts.addAttribute(PositionIncrementAttribute.class);
            ts.reset();
            int pos = -1;
            while (ts.incrementToken()) {
              pos += inc.getPositionIncrement();
              if (sb.length() > 0) sb.append('\t');
              StringJoiner codes = new StringJoiner(".");
              term.toString().codePoints().forEach(c -> codes.add(Integer.toHexString(c)));
              sb.append(codes).append('\u001f')
                .append(text.codePointCount(0, off.startOffset())).append('\u001f')
                .append(text.codePointCount(0, off.endOffset())).append('\u001f')
                .append(pos);
            }
            ts.end();
          }
          out.write(sb.toString());
          out.write('\n');
        }
      }
    }
  }
}
