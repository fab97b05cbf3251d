"""Elasticsearch's reading of `mapping` char_filter rules, for the tests.

Mirrors MappingCharFilterFactory (elastic/elasticsearch, modules/analysis-common):
the rule is split at the last '=>' (a greedy `(.*)\\s*=>\\s*(.*)`), both sides are
trimmed of characters <= U+0020, then backslash escapes are decoded
(\\\\ \\n \\t \\r \\b \\f \\uXXXX; any other escaped character stands for itself).
"""

from __future__ import annotations

_SIMPLE_ESCAPES = {"\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


def _java_trim(s: str) -> str:
    return s.strip("".join(chr(c) for c in range(0x21)))


def parse_es_mapping_rule(rule: str) -> tuple[str, str]:
    lhs, sep, rhs = rule.rpartition("=>")
    assert sep, f"invalid mapping rule {rule!r}"
    return _es_unescape(_java_trim(lhs)), _es_unescape(_java_trim(rhs))


def _es_unescape(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            if s[i + 1] == "u":
                out.append(chr(int(s[i + 2 : i + 6], 16)))
                i += 6
            else:
                out.append(_SIMPLE_ESCAPES.get(s[i + 1], s[i + 1]))
                i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)
