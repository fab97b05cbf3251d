"""Dates of Arabic news pages: every month system and digit kind, the awkward cases
(Hijri, ambiguous numbers, double names, AM/PM), and properties over random dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.ingest import dates
from indexer.ingest.dates import (
    MONTH_SYSTEMS,
    MONTHS_HIJRI,
    NO_DATE,
    WEEKDAYS,
    ParsedDate,
    _grammar,
    find_date,
    parse_date,
)

DIGITS = {
    "ascii": "0123456789",
    "arabic_indic": "٠١٢٣٤٥٦٧٨٩",
    "persian": "۰۱۲۳۴۵۶۷۸۹",
}


def digits(text: str, kind: str) -> str:
    return text.translate(str.maketrans("0123456789", DIGITS[kind]))


def iso(text: str) -> str | None:
    return parse_date(text).iso


def weekday_name(day: date) -> str:
    return next(name for name, n in WEEKDAYS.items() if n == day.weekday())


MONTH_NAMES = [
    pytest.param(name, month, id=f"{system}-{name}")
    for system, table in MONTH_SYSTEMS.items()
    for name, month in table.items()
]


# ------------------------------------------------------------------ every month name
@pytest.mark.parametrize(("name", "month"), MONTH_NAMES)
@pytest.mark.parametrize("kind", DIGITS)
def test_every_month_name_in_every_digit_kind(name: str, month: int, kind: str) -> None:
    assert iso(digits(f"7 {name} 2021", kind)) == f"2021-{month:02d}-07"


@pytest.mark.parametrize(("name", "month"), MONTH_NAMES)
@pytest.mark.parametrize("kind", ["ascii", "arabic_indic"])
def test_every_month_name_with_weekday_and_time(name: str, month: int, kind: str) -> None:
    day = date(2021, month, 7)
    text = digits(f"{weekday_name(day)}، 7 {name} 2021 - 09:05", kind)
    assert iso(text) == f"2021-{month:02d}-07T09:05:00"


def test_month_tables_agree_and_the_lookup_is_built_from_them() -> None:
    months = _grammar().months
    normalize = _grammar().normalizer.normalize
    for table in MONTH_SYSTEMS.values():
        for name, month in table.items():
            assert months[normalize(name).lower()] == month
    assert months["ابريل"] == 4
    assert "أبريل" not in months  # keys are normalized: the hamza is folded once, here


def test_spelling_variants_are_matched_after_normalization() -> None:
    assert iso("7 إبريل 2021") == iso("7 ابريل 2021") == "2021-04-07"
    assert iso("7 أكتوبـــر 2021") == "2021-10-07"  # tatweel
    assert iso("7 جويليه 2021") == "2021-07-07"  # ه for ة
    assert iso("7 ذي القعدة 1442 هـ") is None


# ---------------------------------------------------------------- the seed article
def test_seed_article_line() -> None:
    line = "● أخبار سورية ٢٣ نوفمبر ٢٠٢١"
    found = find_date(line)
    assert found.iso == "2021-11-23"
    assert found.span is not None
    start, end = found.span
    assert line[:start] == "● أخبار سورية "
    assert line[start:end] == "٢٣ نوفمبر ٢٠٢١"


def test_find_date_span_includes_weekday_and_time_and_maps_to_the_original() -> None:
    line = "عاجل | الثلاثاء، ٢٣ نوفمبر ٢٠٢١ - ١٠:٣٠ مساءً | سياسة"
    found = find_date(line)
    assert found.iso == "2021-11-23T22:30:00"
    assert found.span is not None
    assert line[slice(*found.span)] == "الثلاثاء، ٢٣ نوفمبر ٢٠٢١ - ١٠:٣٠ مساءً"


def test_parse_date_needs_the_whole_text_to_be_a_date() -> None:
    assert parse_date("  ٢٣ نوفمبر ٢٠٢١. ").iso == "2021-11-23"
    result = parse_date("● أخبار سورية ٢٣ نوفمبر ٢٠٢١")
    assert result.iso is None
    assert result.problem is not None and result.problem.startswith("text besides the date")
    two = parse_date("23 نوفمبر 2021 - 24 نوفمبر 2021")
    assert two.iso is None and two.problem is not None and "more than one date" in two.problem


def test_find_date_takes_the_first_date() -> None:
    assert find_date("من 23 نوفمبر 2021 إلى 24 نوفمبر 2021").iso == "2021-11-23"


# ------------------------------------------------------------------ RFC 2822 / ISO
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sun, 18 Feb 2018 21:35:43 +0400", "2018-02-18T21:35:43+04:00"),
        ("Sat, 11 Aug 2018 13:29:22 GMT", "2018-08-11T13:29:22+00:00"),
        ("Sat, 11 Aug 2018 13:29:22 UTC", "2018-08-11T13:29:22+00:00"),
        ("Sat, 11 Aug 2018 13:29:22 -0500", "2018-08-11T13:29:22-05:00"),
        ("Sat, 11 Aug 2018 13:29:22 EST", "2018-08-11T13:29:22-05:00"),
        ("Sat, 11 Aug 2018 13:29 +0000", "2018-08-11T13:29:00+00:00"),
        ("11 Aug 2018 13:29:22 +0300", "2018-08-11T13:29:22+03:00"),
        ("Monday, 05 November 2018", "2018-11-05"),
        ("18 Feb 2018", "2018-02-18"),
        ("2018-02-18", "2018-02-18"),
        ("2018-02-18T21:35:43", "2018-02-18T21:35:43"),
        ("2018-02-18T21:35:43Z", "2018-02-18T21:35:43+00:00"),
        ("2018-02-18 21:35:43+03:00", "2018-02-18T21:35:43+03:00"),
        ("2018-02-18T21:35:43.123+0300", "2018-02-18T21:35:43+03:00"),
        ("2018-02-18T21:35", "2018-02-18T21:35:00"),
        ("٢٠١٨-٠٢-١٨T٢١:٣٥:٤٣Z", "2018-02-18T21:35:43+00:00"),
    ],
)
def test_rfc2822_and_iso(text: str, expected: str) -> None:
    assert iso(text) == expected


def test_rfc2822_with_wrong_weekday_is_not_guessed() -> None:
    result = parse_date("Mon, 18 Feb 2018 21:35:43 +0400")
    assert result.iso is None
    assert result.problem is not None and result.problem.startswith("weekday disagrees")


# ----------------------------------------------------------------- numeric dates
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23/11/2021", "2021-11-23"),
        ("23-11-2021", "2021-11-23"),
        ("23.11.2021", "2021-11-23"),
        ("٢٣/١١/٢٠٢١", "2021-11-23"),
        ("05/05/2021", "2021-05-05"),
        ("2021/11/23", "2021-11-23"),
        ("2021/1/5", "2021-01-05"),
        ("2021.11.23", "2021-11-23"),
        ("23/11/2021 10:30", "2021-11-23T10:30:00"),
        ("2021/11/23 الساعة 10:30 ص", "2021-11-23T10:30:00"),
    ],
)
def test_numeric_dates(text: str, expected: str) -> None:
    assert iso(text) == expected


@pytest.mark.parametrize("text", ["05/06/2021", "5-6-2021", "١٢/١١/٢٠٢١", "01.02.2021"])
def test_ambiguous_numeric_dates(text: str) -> None:
    result = parse_date(text)
    assert result.iso is None
    assert result.problem == f"ambiguous numeric date: {text}"


def test_mixed_separators_are_not_a_date() -> None:
    assert parse_date("23/11-2021").problem == NO_DATE


# -------------------------------------------------------------------- double names
@pytest.mark.parametrize(
    "text",
    [
        "10 تشرين الأول/أكتوبر 2021",
        "10 أكتوبر/تشرين الأول 2021",
        "10 أكتوبر / تشرين الأول 2021",
        "10 تشرين الأول / أكتوبر 2021",
        "10 أكتوبر (تشرين الأول) 2021",
        "10 تشرين الأول (أكتوبر) 2021",
        "الأحد ١٠ تشرين الأول/أكتوبر ٢٠٢١",
        "10 تشرين الأول/ أكتوبر 2021",
    ],
)
def test_double_month_names(text: str) -> None:
    assert iso(text) == "2021-10-10"


@pytest.mark.parametrize(
    "text", ["10 تشرين الأول/نوفمبر 2021", "10 أكتوبر (تشرين الثاني) 2021", "10 آب/أيلول 2021"]
)
def test_double_month_names_that_disagree(text: str) -> None:
    result = parse_date(text)
    assert result.iso is None
    assert result.problem is not None and result.problem.startswith("month names disagree")


def test_unclosed_parenthesis_is_not_a_double_name() -> None:
    assert parse_date("10 أكتوبر (تشرين الأول 2021").problem == NO_DATE


# --------------------------------------------------------------------------- Hijri
@pytest.mark.parametrize(
    "text",
    [
        "5 ربيع الأول 1443 هـ",
        "الأحد ٥ ربيع الأول ١٤٤٣ هـ",
        "12 ذو الحجة 1442هـ",
        "1 رمضان 1443",
        "15 جمادى الآخرة 1443 هجرية",
    ],
)
def test_hijri_only_is_reported_not_converted(text: str) -> None:
    for result in (parse_date(text), find_date(text)):
        assert result.iso is None
        assert result.problem == f"Hijri date not converted: {text}"
        assert result.span == (0, len(text))


@pytest.mark.parametrize("name", MONTHS_HIJRI)
def test_every_hijri_month_is_recognized(name: str) -> None:
    assert parse_date(f"3 {name} 1443 هـ").problem == f"Hijri date not converted: 3 {name} 1443 هـ"


@pytest.mark.parametrize(
    "text",
    [
        "الأحد 5 ربيع الأول 1443 هـ الموافق 10 أكتوبر 2021 م",
        "الأحد ٥ ربيع الأول ١٤٤٣ هـ الموافق لـ ١٠ أكتوبر ٢٠٢١م",
        "الأحد 10 أكتوبر 2021 م - 5 ربيع الأول 1443 هـ",
        "5 ربيع الأول 1443 هـ / 10 تشرين الأول 2021",
    ],
)
def test_hijri_with_gregorian_gives_the_gregorian(text: str) -> None:
    assert parse_date(text).iso == "2021-10-10"
    found = find_date(f"سياسة {text}")
    assert found.iso == "2021-10-10"
    assert found.span == (len("سياسة "), len("سياسة ") + len(text))  # both dates, one span


# ---------------------------------------------------------------- invalid values
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("31 فبراير 2021", "invalid date (day 31; 2021-02 has 28 days): 31 فبراير 2021"),
        ("29 فبراير 2021", "invalid date (day 29; 2021-02 has 28 days): 29 فبراير 2021"),
        ("0 فبراير 2021", "invalid date (day 0; 2021-02 has 28 days): 0 فبراير 2021"),
        ("31 نيسان 2021", "invalid date (day 31; 2021-04 has 30 days): 31 نيسان 2021"),
        ("13/13/2021", "invalid date (no month 13): 13/13/2021"),
        ("2021-13-01", "invalid date (no month 13): 2021-13-01"),
        ("11/23/2021", "invalid date (no month 23): 11/23/2021"),
        ("23 نوفمبر 2021 25:00", "invalid time (hour 25): 23 نوفمبر 2021 25:00"),
        ("23 نوفمبر 2021 10:61", "invalid time (minute 61): 23 نوفمبر 2021 10:61"),
        ("23 نوفمبر 1850", "year 1850 out of range 1900-2100: 23 نوفمبر 1850"),
        ("23 نوفمبر 2150", "year 2150 out of range 1900-2100: 23 نوفمبر 2150"),
        ("23 نوفمبر 21", "two-digit year: 23 نوفمبر 21"),
        ("23/11/21", "two-digit year: 23/11/21"),
        ("23 نوفمبر 2021 10:00 +2500", "invalid UTC offset (+25:00): 23 نوفمبر 2021 10:00 +2500"),
        ("الاثنين 23 نوفمبر 2021", "weekday disagrees with 2021-11-23: الاثنين 23 نوفمبر 2021"),
    ],
)
def test_invalid_values_are_named(text: str, problem: str) -> None:
    assert parse_date(text) == ParsedDate(None, problem, (0, len(text)))


def test_leap_day() -> None:
    assert iso("29 فبراير 2020") == "2020-02-29"
    assert iso("29 شباط 2000") == "2000-02-29"


@pytest.mark.parametrize(
    "text", ["", "   ", "أخبار سورية", "10:30", "أكتوبر 2021", "23 نوفمبر", "رقم 23/11", "2021"]
)
def test_no_date_found(text: str) -> None:
    assert parse_date(text) == ParsedDate(None, NO_DATE)
    assert find_date(text) == ParsedDate(None, NO_DATE)


# ------------------------------------------------------------- times, AM/PM, zones
@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        ("١٠:٣٠ ص", "10:30:00"),
        ("١٠:٣٠ م", "22:30:00"),
        ("10:30 صباحاً", "10:30:00"),
        ("10:30 صباحا", "10:30:00"),
        ("10:30 مساءً", "22:30:00"),
        ("10:30 مساء", "22:30:00"),
        ("10:30 PM", "22:30:00"),
        ("10:30 am", "10:30:00"),
        ("12:15 ص", "00:15:00"),
        ("12:15 م", "12:15:00"),
        ("00:15 ص", "00:15:00"),
        ("21:35 م", "21:35:00"),  # a 24-hour time with a consistent suffix
        ("21:35", "21:35:00"),
        ("21:35:43", "21:35:43"),
        ("الساعة 9:05", "09:05:00"),
        ("في الساعة 9:05 مساءً", "21:05:00"),
    ],
)
def test_clock(clock: str, expected: str) -> None:
    for separator in (" ", " - ", "، ", " | "):
        assert iso(f"23 نوفمبر 2021{separator}{clock}") == f"2021-11-23T{expected}"


@pytest.mark.parametrize("clock", ["21:35 ص", "00:30 م", "13:00 am"])
def test_clock_that_contradicts_its_suffix(clock: str) -> None:
    result = parse_date(f"23 نوفمبر 2021 {clock}")
    assert result.iso is None
    assert result.problem is not None and result.problem.startswith("invalid time")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23 نوفمبر 2021م", "2021-11-23"),
        ("23 نوفمبر 2021 م", "2021-11-23"),
        ("٢٣ نوفمبر ٢٠٢١م", "2021-11-23"),
        ("23 نوفمبر 2021 ميلادية", "2021-11-23"),
        ("23 نوفمبر 2021م 10:30", "2021-11-23T10:30:00"),
        ("23 نوفمبر 2021م، 10:30 م", "2021-11-23T22:30:00"),
    ],
)
def test_year_marker_is_not_pm(text: str, expected: str) -> None:
    assert iso(text) == expected


@pytest.mark.parametrize(
    ("zone", "offset"),
    [
        ("GMT", "+00:00"),
        ("UTC", "+00:00"),
        ("بتوقيت غرينتش", "+00:00"),
        ("بتوقيت جرينتش", "+00:00"),
        ("+0300", "+03:00"),
        ("+03:00", "+03:00"),
        ("-0430", "-04:30"),
        ("GMT+3", "+03:00"),
        ("GMT +03:00", "+03:00"),
        ("UTC-5", "-05:00"),
        ("+٠٣٠٠", "+03:00"),
    ],
)
def test_zones(zone: str, offset: str) -> None:
    assert iso(f"23 نوفمبر 2021 10:30 {zone}") == f"2021-11-23T10:30:00{offset}"


def test_unknown_zone_is_left_out_of_the_date() -> None:
    assert find_date("23 نوفمبر 2021 10:30 بتوقيت القدس").iso == "2021-11-23T10:30:00"
    assert parse_date("23 نوفمبر 2021 10:30 بتوقيت القدس").iso is None


# ---------------------------------------------------------------------- properties
# 12-hour suffixes; the hour is 1..12 on the clock face.
MERIDIEM_WORDS = {"am": ["ص", "صباحاً", "صباحا", "AM"], "pm": ["م", "مساءً", "مساء", "PM"]}
ZONE_WORDS = {"GMT": 0, "بتوقيت غرينتش": 0, "+03:00": 180, "+0400": 240, "-0500": -300}


@st.composite
def rendered_dates(draw: st.DrawFn) -> tuple[str, str]:
    """A random date written as a news site might, and the ISO string it means."""
    day = draw(st.dates(date(1990, 1, 1), date(2030, 12, 31)))
    system = draw(st.sampled_from(sorted(MONTH_SYSTEMS)))
    names = [name for name, n in MONTH_SYSTEMS[system].items() if n == day.month]
    month = draw(st.sampled_from(names))
    if draw(st.booleans()):  # a double name, from any system
        other = draw(
            st.sampled_from(
                [name for t in MONTH_SYSTEMS.values() for name, n in t.items() if n == day.month]
            )
        )
        month = draw(
            st.sampled_from([f"{month}/{other}", f"{month} / {other}", f"{month} ({other})"])
        )
    text = f"{day.day:0{draw(st.sampled_from([1, 2]))}d} {month} {day.year}"
    text += draw(st.sampled_from(["", "م", " م"]))
    if draw(st.booleans()):
        weekdays = [name for name, n in WEEKDAYS.items() if n == day.weekday()]
        text = draw(st.sampled_from(weekdays)) + draw(st.sampled_from([" ", "، ", ", "])) + text
    expected = day.isoformat()
    clock: time | None = draw(st.none() | st.times().map(lambda t: t.replace(microsecond=0)))
    if clock is not None:
        separator = draw(st.sampled_from([" ", " - ", "، ", " الساعة ", " - الساعة "]))
        with_seconds = draw(st.booleans())
        if not with_seconds:
            clock = clock.replace(second=0)
        seconds = f":{clock.second:02d}" if with_seconds else ""
        if draw(st.booleans()):  # 24-hour
            face = f"{clock.hour:02d}:{clock.minute:02d}{seconds}"
        else:
            half = "pm" if clock.hour >= 12 else "am"
            hour = clock.hour % 12 or 12
            face = (
                f"{hour}:{clock.minute:02d}{seconds} {draw(st.sampled_from(MERIDIEM_WORDS[half]))}"
            )
        text += separator + face
        moment = datetime.combine(day, clock)
        zone = draw(st.none() | st.sampled_from(sorted(ZONE_WORDS)))
        if zone is not None:
            text += f" {zone}"
            moment = moment.replace(tzinfo=timezone(timedelta(minutes=ZONE_WORDS[zone])))
        expected = moment.isoformat()
    return digits(text, draw(st.sampled_from(sorted(DIGITS)))), expected


@given(rendered_dates())
def test_rendered_dates_parse_to_what_they_mean(case: tuple[str, str]) -> None:
    text, expected = case
    assert iso(text) == expected
    found = find_date(f"● أخبار {text} للمزيد")
    assert found.iso == expected
    assert found.span == (len("● أخبار "), len("● أخبار ") + len(text))


def assert_valid(result: ParsedDate, text: str) -> None:
    if result.iso is None:
        assert result.problem
        return
    assert result.problem is None
    parsed = (date if len(result.iso) == 10 else datetime).fromisoformat(result.iso)
    assert parsed.isoformat() == result.iso
    assert result.span is not None
    start, end = result.span
    assert 0 <= start < end <= len(text)


@given(st.text())
def test_never_raises_and_iso_is_valid(text: str) -> None:
    for result in (parse_date(text), find_date(text)):
        assert_valid(result, text)


DATE_ALPHABET = st.sampled_from(
    [*"0123456789٠١٢٣٤٥٦٧٨٩/-.:+ ،,()", "نوفمبر", "تشرين الأول", "أكتوبر", "رمضان", "هـ",
     "م", "ص", "الأحد", "GMT", "T", "Z", "الموافق", "الساعة", "2021", "١٤٤٣", "Feb"]
)  # fmt: skip


@given(st.lists(DATE_ALPHABET, max_size=20).map("".join))
def test_never_raises_on_date_like_text(text: str) -> None:
    for result in (parse_date(text), find_date(text)):
        assert_valid(result, text)


@settings(max_examples=300)
@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 12, 31)),
    zone=st.sampled_from(["GMT", "UTC", "+0400", "-0530", "+0000", "-0000", "+1500"]),
    weekday_shift=st.sampled_from([0, 0, 0, 1]),
)
def test_rfc2822_fast_path_agrees_with_the_grammar(
    moment: datetime, zone: str, weekday_shift: int
) -> None:
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    weekday = days[(moment.weekday() + weekday_shift) % 7]
    text = f"{weekday}, {moment:%d} {moment:%b} {moment:%Y} {moment:%H:%M:%S} {zone}"
    assert dates.parse_date(text) == dates._parse_with_grammar(text)
    # Arabic-Indic digits too: the ISO result has ASCII digits whichever path reads it.
    indic = text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert dates.parse_date(indic) == dates._parse_with_grammar(indic)


# ------------------------------------------------------------------ date filters
DAY_END = "T23:59:59.999999"  # until includes the whole of its last day


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2018", "2018-01-01T00:00:00+00:00", f"2018-12-31{DAY_END}+00:00"),
        ("2018-06", "2018-06-01T00:00:00+00:00", f"2018-06-30{DAY_END}+00:00"),
        ("2016-02", "2016-02-01T00:00:00+00:00", f"2016-02-29{DAY_END}+00:00"),
        ("2018-6", "2018-06-01T00:00:00+00:00", f"2018-06-30{DAY_END}+00:00"),
        ("2018-06-01", "2018-06-01T00:00:00+00:00", f"2018-06-01{DAY_END}+00:00"),
        ("2018-06-01Z", "2018-06-01T00:00:00+00:00", f"2018-06-01{DAY_END}+00:00"),
        ("2018-06-01+03:00", "2018-06-01T00:00:00+03:00", f"2018-06-01{DAY_END}+03:00"),
        ("2018-06-01T09:30+03:00", "2018-06-01T09:30:00+03:00", "2018-06-01T09:30:00+03:00"),
        ("2018-06-01T09:30:15Z", "2018-06-01T09:30:15+00:00", "2018-06-01T09:30:15+00:00"),
        ("2018-06-01 09:30", "2018-06-01T09:30:00+00:00", "2018-06-01T09:30:00+00:00"),
        (" 2018 ", "2018-01-01T00:00:00+00:00", f"2018-12-31{DAY_END}+00:00"),
    ],
)
def test_a_date_filter_covers_its_whole_year_month_or_day(text: str, first: str, last: str) -> None:
    for kind in DIGITS:  # ٢٠١٨-٠٦ and ۲۰۱۸-۰۶ as well as 2018-06
        assert [d.isoformat() for d in dates.date_range(digits(text, kind))] == [first, last]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("yesterday", "not a year, a month, a day or a date-time"),
        ("18", "not a year"),
        ("", "not a year"),
        ("2018-06Z", "not a year"),  # a zone needs a day
        ("2018/06/01", "not a year"),
        ("2018-13", "month must be in 1..12"),
        ("2018-02-30", "day is out of range"),
        ("2018-06-01T25:00", "hour must be in 0..23"),
        ("2018-06-01+15:00", "invalid UTC offset"),
        ("0000", "year 0 is out of range"),
    ],
)
def test_a_date_filter_that_is_no_date_says_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        dates.date_range(text)
