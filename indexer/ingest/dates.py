"""Dates of Arabic news pages to ISO 8601, never guessing.

    parse_date("الثلاثاء ٢٣ نوفمبر ٢٠٢١ - ١٠:٣٠ م").iso   == "2021-11-23T22:30:00"
    find_date("● أخبار سورية ٢٣ نوفمبر ٢٠٢١").span       == (14, 28)
    date_range("٢٠١٨-٠٦")[1].isoformat()               == "2018-06-30T23:59:59.999999+00:00"

How it works: the text is normalized (hamza forms, ى/ي, ة/ه, harakat, tatweel and
Arabic-Indic/Persian digits, by the project's Normalizer, which also gives back the
original offsets). One regular expression, built from the tables below, finds the
date expressions: optional weekday, a date in one of four shapes (Hijri, day + month
name + year, day/month/year, year/month/day), optional time, AM/PM and zone. Each
match is then checked (calendar, clock, weekday, double month names) and either gives
an ISO string or the reason it does not. A Hijri date next to a Gregorian one
("... هـ الموافق 10 أكتوبر 2021 م") is one expression whose value is the Gregorian date.
"""

from __future__ import annotations

import calendar
import functools
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from types import MappingProxyType
from typing import Literal, TypeVar

import regex

from indexer.analysis.normalize import Normalizer

# ---------------------------------------------------------------------------- tables
# Written as news sites spell them; the look-ups are built from the normalized forms,
# so أبريل/ابريل or يونيو/يونيه variants differing only in hamza or ة need no entry.

MONTHS_EGYPTIAN_GULF: dict[str, int] = {
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "أبريل": 4,
    "إبريل": 4,
    "مايو": 5,
    "يونيو": 6,
    "يونيه": 6,
    "يوليو": 7,
    "يوليه": 7,
    "أغسطس": 8,
    "سبتمبر": 9,
    "أكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
}

MONTHS_LEVANTINE: dict[str, int] = {  # Syria, Lebanon, Jordan, Palestine, Iraq
    "كانون الثاني": 1,
    "شباط": 2,
    "آذار": 3,
    "نيسان": 4,
    "أيار": 5,
    "حزيران": 6,
    "تموز": 7,
    "آب": 8,
    "أيلول": 9,
    "تشرين الأول": 10,
    "تشرين الثاني": 11,
    "كانون الأول": 12,
    # without the article, as some sites write them
    "كانون ثاني": 1,
    "تشرين أول": 10,
    "تشرين ثاني": 11,
    "كانون أول": 12,
}

MONTHS_MAGHREBI: dict[str, int] = {  # Algeria, Tunisia (from French)
    "جانفي": 1,
    "فيفري": 2,
    "مارس": 3,
    "أفريل": 4,
    "ماي": 5,
    "جوان": 6,
    "جويلية": 7,
    "أوت": 8,
    "سبتمبر": 9,
    "أكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
}

MONTHS_MOROCCAN: dict[str, int] = {
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "أبريل": 4,
    "ماي": 5,
    "يونيو": 6,
    "يوليوز": 7,
    "غشت": 8,
    "شتنبر": 9,
    "أكتوبر": 10,
    "نونبر": 11,
    "دجنبر": 12,
}

ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")  # fmt: skip
MONTHS_ENGLISH: dict[str, int] = {  # RFC 2822 dates of feeds and e-mail headers
    **{name: n for n, name in enumerate(ENGLISH_MONTHS, start=1)},
    **{name[:3]: n for n, name in enumerate(ENGLISH_MONTHS, start=1)},
    "Sept": 9,
}

MONTH_SYSTEMS: dict[str, dict[str, int]] = {
    "egyptian_gulf": MONTHS_EGYPTIAN_GULF,
    "levantine": MONTHS_LEVANTINE,
    "maghrebi": MONTHS_MAGHREBI,
    "moroccan": MONTHS_MOROCCAN,
    "english": MONTHS_ENGLISH,
}

# Recognized only so that a Hijri date is reported, never read as a Gregorian one:
# converting needs the official (sighting-based) calendar, which we do not have.
MONTHS_HIJRI: dict[str, int] = {
    "محرم": 1,
    "صفر": 2,
    "ربيع الأول": 3,
    "ربيع أول": 3,
    "ربيع الآخر": 4,
    "ربيع الثاني": 4,
    "ربيع ثاني": 4,
    "جمادى الأولى": 5,
    "جمادى الأول": 5,
    "جمادى الآخرة": 6,
    "جمادى الثانية": 6,
    "جمادى الآخر": 6,
    "رجب": 7,
    "شعبان": 8,
    "رمضان": 9,
    "شوال": 10,
    "ذو القعدة": 11,
    "ذي القعدة": 11,
    "ذو الحجة": 12,
    "ذي الحجة": 12,
}

ENGLISH_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS: dict[str, int] = {  # numbered as date.weekday(): Monday is 0
    "الاثنين": 0,
    "الإثنين": 0,
    "الثلاثاء": 1,
    "الأربعاء": 2,
    "الخميس": 3,
    "الجمعة": 4,
    "السبت": 5,
    "الأحد": 6,
    **{name: n for n, name in enumerate(ENGLISH_WEEKDAYS)},
    **{name[:3]: n for n, name in enumerate(ENGLISH_WEEKDAYS)},
    "Tues": 1,
    "Thur": 3,
    "Thurs": 3,
}

MERIDIEMS: dict[str, str] = {
    "ص": "am",
    "صباحاً": "am",
    "صباحا": "am",
    "صباح": "am",
    "م": "pm",
    "مساءً": "pm",
    "مساء": "pm",
    "مساءا": "pm",
    "AM": "am",
    "A.M.": "am",
    "PM": "pm",
    "P.M.": "pm",
}

# Hours a 12-hour clock may show in each half of the day, and what to add. A 24-hour
# hour with a matching suffix ("21:35 م") is consistent, so it is kept as it is.
HALF_DAYS: dict[str, tuple[range, int]] = {"am": (range(0, 13), 0), "pm": (range(1, 24), 12)}

ZONES: dict[str, int] = {  # minutes east of UTC
    "Z": 0,
    "GMT": 0,
    "UTC": 0,
    "UT": 0,
    "غرينتش": 0,
    "غرينيتش": 0,
    "جرينتش": 0,
    "جرينيتش": 0,
    # RFC 2822 section 4.3 gives these North American zones fixed offsets.
    "EST": -5 * 60,
    "EDT": -4 * 60,
    "CST": -6 * 60,
    "CDT": -5 * 60,
    "MST": -7 * 60,
    "MDT": -6 * 60,
    "PST": -8 * 60,
    "PDT": -7 * 60,
}
OFFSET_SIGNS: dict[str, int] = {"+": 1, "-": -1, "−": -1}
MAX_OFFSET_HOURS = 14  # the largest offset in use (Kiribati)

# Words around the parts; each is matched as a whole word after normalization.
DAY_WORDS = ("يوم",)  # "يوم الأحد"
CLOCK_WORDS = ("الساعة", "في الساعة")
ZONE_WORDS = ("بتوقيت", "توقيت")
GREGORIAN_ERA = ("م", "ميلادي", "ميلادية")  # "2021م": a year marker, not PM
HIJRI_ERA = ("هـ", "هجري", "هجرية")
CONNECTORS = ("الموافق", "الموافق لـ", "لـ")  # between a Hijri and a Gregorian date

YEARS = range(1900, 2101)
CLOCK_MAX = {"hour": 23, "minute": 59, "second": 59}
NO_DATE = "no date found"


@dataclass(slots=True)  # slotted, not frozen: as the records of indexer/ingest/articles.py
class ParsedDate:
    iso: str | None  # the date in ISO 8601, or None
    problem: str | None  # when iso is None: why, in a short English phrase
    span: tuple[int, int] | None = None  # (start, end) of the date expression in the input


# How a numeric date such as 01/05/2024 is read (--date-order): day first or month
# first. None: only when one reading is possible (05/06/2021 is refused as ambiguous).
DateOrder = Literal["dmy", "mdy"]
DATE_ORDERS: tuple[DateOrder, ...] = ("dmy", "mdy")
AMBIGUOUS = "ambiguous numeric date"  # the problem --date-order solves


def parse_date(text: str, order: DateOrder | None = None) -> ParsedDate:
    """The date of a text that is nothing but one date expression."""
    return _rfc2822(text) or _parse_with_grammar(text, order)


# Feeds write RFC 2822 dates ("Sun, 18 Feb 2018 21:35:43 +0400"). The grammar reads
# them too, but this strict pattern does the common valid case ten times faster;
# anything else it leaves to the grammar (test_dates checks the two agree).
_RFC2822_FAST = re.compile(
    r"\s*(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2} \w{3} \d{4}) "
    r"((?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d) (GMT|UTC|UT|Z|[+-]\d{2}[0-5]\d)\s*",
    re.ASCII,  # other digits (٢٠٢١) are the grammar's
)
_RFC_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RFC_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _rfc2822(text: str) -> ParsedDate | None:
    match = _RFC2822_FAST.fullmatch(text)
    if match is None:
        return None
    weekday, day, clock, zone = match.groups()
    # -0000 is "zone unknown": left to the grammar, as are offsets no place uses.
    if zone == "-0000" or (zone[0] in "+-" and int(zone[1:3]) > MAX_OFFSET_HOURS):
        return None
    if (on := _rfc_day(day, weekday)) is None:
        return None
    offset = "+00:00" if zone[0] not in "+-" else f"{zone[:3]}:{zone[3:]}"
    return ParsedDate(
        f"{on}T{clock}{offset}", None, (match.start(1 if weekday else 2), match.end(4))
    )


@functools.lru_cache(maxsize=4096)
def _rfc_day(day: str, weekday: str | None) -> str | None:
    """The ISO date of an RFC 2822 day ("18 Feb 2018") if it is a real day in YEARS,
    on that weekday (English abbreviation); else None. Remembered: a feed's articles
    share few days."""
    number, month, year = day.split()
    if month not in _RFC_MONTHS or int(year) not in YEARS:
        return None
    try:
        moment = date(int(year), _RFC_MONTHS.index(month) + 1, int(number))
    except ValueError:
        return None
    if weekday and _RFC_DAYS.index(weekday) != moment.weekday():
        return None
    return moment.isoformat()


def _parse_with_grammar(text: str, order: DateOrder | None = None) -> ParsedDate:
    grammar = _grammar()
    normalized, origin = grammar.normalizer.normalize_with_offsets(text)
    expressions = _expressions(normalized, origin, text, grammar, order)
    if not expressions:
        return ParsedDate(None, NO_DATE)
    if len(expressions) > 1:
        return ParsedDate(None, f"more than one date: {text.strip()}")
    (found,) = expressions
    start, end = found.normalized_span
    outside = normalized[:start] + " " + normalized[end:]
    if not grammar.filler.fullmatch(outside):
        return ParsedDate(None, f"text besides the date: {text.strip()}")
    return found.result


def find_date(text: str, order: DateOrder | None = None) -> ParsedDate:
    """The first date expression in a longer text; its span lets the caller cut it out.

    A valid date wins over an earlier one that cannot be read (a Hijri date, an
    ambiguous 05/06/2021); if none is valid, the first one's problem is returned.
    """
    grammar = _grammar()
    normalized, origin = grammar.normalizer.normalize_with_offsets(text)
    expressions = _expressions(normalized, origin, text, grammar, order)
    if not expressions:
        return ParsedDate(None, NO_DATE)
    return next((e.result for e in expressions if e.result.iso), expressions[0].result)


# --------------------------------------------------------------------------- grammar
# Matched against normalized text, so digits are ASCII and names are normalized.
# $names are filled in from the tables by _grammar().
_PATTERN = string.Template(r"""
# optional weekday: يوم الأحد، / Sun,
(?:(?:(?:$day_words)\s+)?(?P<weekday>$weekdays)(?!\w)\s*[,،\-–]?\s*)?
(?<![0-9])
(?:
    # 5 ربيع الأول 1443 هـ
    (?P<day>[0-9]{1,2})\s*(?P<hijri>$hijri_months)(?!\w)
    \s*(?P<year>[0-9]{1,4})(?![0-9])(?:\s*(?:$hijri_era)(?!\w))?
  |
    # 10 تشرين الأول/أكتوبر 2021م, 23 نوفمبر (تشرين الثاني) 2021, 18 Feb 2018
    (?P<day>[0-9]{1,2})\s*(?P<month_name>$months)(?!\w)
    (?:\s*(?:/|(?P<paren>\())\s*(?P<month_name2>$months)(?!\w)(?(paren)\s*\)))?
    \s*[,،]?\s*(?P<year>[0-9]{4}|[0-9]{2})(?![0-9])
    (?:\s*(?:$gregorian_era)(?!\w))?
  |
    # 23/11/2021, 23-11-2021, 23.11.2021
    (?P<day>[0-9]{1,2})(?P<dsep>[/.\-])(?P<day_first_month>[0-9]{1,2})(?P=dsep)
    (?P<year>[0-9]{4}|[0-9]{2})(?![0-9])
  |
    # 2021-11-23, 2021/11/23
    (?P<year>[0-9]{4})(?P<ysep>[/.\-])(?P<month_number>[0-9]{1,2})(?P=ysep)
    (?P<day>[0-9]{1,2})(?![0-9])
)
(?:  # T21:35:43.123+0300, - الساعة 10:30 مساءً بتوقيت غرينتش
    (?:T|\s*(?:[,،\-–|]\s*)?(?:(?:$clock_words)\s*)?)
    (?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,][0-9]+)?)?(?![0-9])
    (?:\s*(?P<meridiem>$meridiems)(?!\w))?
    (?:\s*(?:
        (?:(?:$zone_words)\s*)?(?P<zone_name>$zones)(?!\w)(?:\s*$offset)?
      | $offset
    ))?
)?
""")
_OFFSET = (
    r"(?P<zone_sign>[+\-−])(?P<zone_hours>[0-9]{1,2})(?::?(?P<zone_minutes>[0-9]{2}))?(?![0-9])"
)
# What may stand around or between date expressions: spaces, punctuation, connectors.
_FILLER = string.Template(r"[\s\p{P}]*(?:(?:$connectors)(?!\w)[\s\p{P}]*)*")


@dataclass(frozen=True)
class _Grammar:
    normalizer: Normalizer
    months: Mapping[str, int]
    weekdays: Mapping[str, int]
    meridiems: Mapping[str, str]
    zones: Mapping[str, int]
    pattern: regex.Pattern[str]
    filler: regex.Pattern[str]


@functools.cache
def _grammar() -> _Grammar:
    """The look-ups and patterns, built on first use (once: the result is immutable)."""
    normalizer = Normalizer()
    lookup = functools.partial(_lookup, normalizer)
    months = lookup(*MONTH_SYSTEMS.values())
    weekdays, meridiems, zones = lookup(WEEKDAYS), lookup(MERIDIEMS), lookup(ZONES)

    def words(names: Iterable[str]) -> str:
        return _alternation(_key(normalizer.normalize(name)) for name in names)

    pattern = _PATTERN.substitute(
        day_words=words(DAY_WORDS),
        weekdays=words(weekdays),
        hijri_months=words(MONTHS_HIJRI),
        hijri_era=words(HIJRI_ERA),
        months=words(months),
        gregorian_era=words(GREGORIAN_ERA),
        clock_words=words(CLOCK_WORDS),
        meridiems=words(meridiems),
        zone_words=words(ZONE_WORDS),
        zones=words(zones),
        offset=_OFFSET,
    )
    flags = regex.IGNORECASE | regex.VERBOSE
    return _Grammar(
        normalizer=normalizer,
        months=months,
        weekdays=weekdays,
        meridiems=meridiems,
        zones=zones,
        pattern=regex.compile(pattern, flags),
        filler=regex.compile(_FILLER.substitute(connectors=words(CONNECTORS)), flags),
    )


V = TypeVar("V")


def _lookup(normalizer: Normalizer, *tables: Mapping[str, V]) -> Mapping[str, V]:
    """One look-up keyed by normalized, lower-cased names; tables must agree."""
    merged: dict[str, V] = {}
    for table in tables:
        for name, value in table.items():
            key = _key(normalizer.normalize(name))
            if merged.setdefault(key, value) != value:
                raise ValueError(f"{name!r} means {merged[key]!r} and {value!r}")
    return MappingProxyType(merged)  # read-only: the grammar is shared by all calls


def _key(name: str) -> str:
    """A matched name as a look-up key: spaces collapsed, Latin letters lower-cased."""
    return " ".join(name.split()).lower()


def _alternation(names: Iterable[str]) -> str:
    # Longest first, so that مايو is not read as ماي, nor UTC as UT.
    ordered = sorted(set(names), key=lambda name: (-len(name), name))
    return "|".join(r"\s+".join(map(regex.escape, name.split())) for name in ordered)


# ---------------------------------------------------------------------- expressions
@dataclass(frozen=True)
class _Expression:
    value: ParsedDate  # without span
    span: tuple[int, int]  # in the input text
    normalized_span: tuple[int, int]  # in the normalized text
    gregorian: bool  # holds a Gregorian date (at most one)

    @property
    def result(self) -> ParsedDate:
        return ParsedDate(self.value.iso, self.value.problem, self.span)


class _Invalid(ValueError):
    """Why a matched expression gives no date."""


def _expressions(
    normalized: str,
    origin: Iterable[int],
    text: str,
    grammar: _Grammar,
    order: DateOrder | None = None,
) -> list[_Expression]:
    """The date expressions in order. A Hijri date and the Gregorian date next to it
    (only spaces, punctuation or الموافق between them) make one expression."""
    offsets = [int(offset) for offset in origin]
    expressions: list[_Expression] = []
    for match in grammar.pattern.finditer(normalized):
        start, end = offsets[match.start()], offsets[match.end()]
        try:
            value = ParsedDate(_read(match, grammar, order), None)
        except _Invalid as invalid:
            value = ParsedDate(None, f"{invalid}: {text[start:end]}")
        found = _Expression(value, (start, end), match.span(), match["hijri"] is None)
        previous = expressions[-1] if expressions else None
        if (
            previous is not None
            and not (previous.gregorian and found.gregorian)
            and grammar.filler.fullmatch(
                normalized, previous.normalized_span[1], found.normalized_span[0]
            )
        ):
            expressions[-1] = _joined(previous, found)
        else:
            expressions.append(found)
    return expressions


def _joined(first: _Expression, second: _Expression) -> _Expression:
    # The Gregorian date gives the value; the span covers both dates.
    return _Expression(
        second.value if second.gregorian else first.value,
        (first.span[0], second.span[1]),
        (first.normalized_span[0], second.normalized_span[1]),
        first.gregorian or second.gregorian,
    )


def _read(match: regex.Match[str], grammar: _Grammar, order: DateOrder | None) -> str:
    """The ISO string of one matched expression, or _Invalid saying why not."""
    if match["hijri"] is not None:
        raise _Invalid("Hijri date not converted")
    day = _calendar_date(match, grammar, order)
    if match["weekday"] is not None and grammar.weekdays[_key(match["weekday"])] != day.weekday():
        raise _Invalid(f"weekday disagrees with {day.isoformat()}")
    if match["hour"] is None:
        return day.isoformat()
    return datetime.combine(day, _clock(match, grammar), _zone(match, grammar)).isoformat()


def _calendar_date(match: regex.Match[str], grammar: _Grammar, order: DateOrder | None) -> date:
    if len(match["year"]) == 2:
        raise _Invalid("two-digit year")
    year, month, day = int(match["year"]), _month(match, grammar), int(match["day"])
    numeric = match["day_first_month"] is not None  # day/month/year, or month/day/year
    if numeric and order == "mdy":
        month, day = day, month
    if year not in YEARS:
        raise _Invalid(f"year {year} out of range {YEARS.start}-{YEARS.stop - 1}")
    if not 1 <= month <= 12:
        raise _Invalid(f"invalid date (no month {month})")
    # Arabic writes the day first, but an English-style month-first date looks the same.
    if numeric and order is None and day <= 12 and day != month:
        raise _Invalid(AMBIGUOUS)
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise _Invalid(f"invalid date (day {day}; {year}-{month:02d} has {days_in_month} days)")
    return date(year, month, day)


def _month(match: regex.Match[str], grammar: _Grammar) -> int:
    if match["month_name"] is None:
        return int(match["day_first_month"] or match["month_number"])
    month = grammar.months[_key(match["month_name"])]
    if match["month_name2"] is not None:
        other = grammar.months[_key(match["month_name2"])]
        if other != month:
            raise _Invalid(f"month names disagree ({month} and {other})")
    return month


def _clock(match: regex.Match[str], grammar: _Grammar) -> time:
    fields = {name: int(match[name] or 0) for name in CLOCK_MAX}
    for name, value in fields.items():
        if value > CLOCK_MAX[name]:
            raise _Invalid(f"invalid time ({name} {value})")
    hour = fields["hour"]
    if match["meridiem"] is not None:
        hours, add = HALF_DAYS[grammar.meridiems[_key(match["meridiem"])]]
        if hour not in hours:
            raise _Invalid(f"invalid time (hour {hour} with {match['meridiem']})")
        hour = hour if hour > 12 else hour % 12 + add
    return time(hour, fields["minute"], fields["second"])


def _zone(match: regex.Match[str], grammar: _Grammar) -> timezone | None:
    if match["zone_name"] is None and match["zone_sign"] is None:
        return None
    minutes = grammar.zones[_key(match["zone_name"])] if match["zone_name"] else 0
    if match["zone_sign"] is not None:
        hours, extra = int(match["zone_hours"]), int(match["zone_minutes"] or 0)
        if hours > MAX_OFFSET_HOURS or extra > 59:
            raise _Invalid(f"invalid UTC offset ({match['zone_sign']}{hours:02d}:{extra:02d})")
        minutes += OFFSET_SIGNS[match["zone_sign"]] * (hours * 60 + extra)
    return timezone(timedelta(minutes=minutes))


# ------------------------------------------------------------------ date filters
# The values of search filters (since/until): ISO 8601 from a year down to a date-time,
# in any digits the normalizer folds, as in the article dates above. A year, a month
# or a day stands for all of it: query.date_bounds takes since from its first instant
# and until through its last, so "--until 2018" means through 2018-12-31.
_FILTER = regex.compile(
    string.Template(r"""
    (?P<year>[0-9]{4})
    (?:-(?P<month>[0-9]{1,2})
      (?:-(?P<day>[0-9]{1,2})
        (?:[T\s](?P<clock>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,6})?)?))?
        (?:(?P<zone_name>Z)|$offset)?  # a zone only after a day: 2018-06-01Z
      )?
    )?
    """).substitute(offset=_OFFSET),
    regex.IGNORECASE | regex.VERBOSE,
)
FILTER_EXAMPLES = "2018, 2018-06, 2018-06-01 or 2018-06-01T09:30+03:00"


def date_range(text: str) -> tuple[datetime, datetime]:
    """The first and the last instant a date filter's value covers, both included:
    "2018" is the whole year, "2018-06" the month, "2018-06-01" the day, a date-time
    one instant. No zone means UTC, as for articles' dates. ValueError says why not."""
    grammar = _grammar()
    match = _FILTER.fullmatch(grammar.normalizer.normalize(text.strip()))
    if match is None:
        raise ValueError("not a year, a month, a day or a date-time")
    zone = _zone(match, grammar) or UTC
    year, month, day = (int(match[part] or 0) for part in ("year", "month", "day"))
    first = date(year, month or 1, day or 1)  # its ValueError names a month 13, a day 30
    if match["clock"]:
        instant = datetime.combine(first, time.fromisoformat(match["clock"]), zone)
        return instant, instant
    last_month = month or 12
    last = date(year, last_month, day or calendar.monthrange(year, last_month)[1])
    return datetime.combine(first, time.min, zone), datetime.combine(last, time.max, zone)
