"""Rate files as the banks publish them: read exactly, expressed in the reporting currency, malformed ones refused."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tracker.core.errors import Invalid
from tracker.core.i18n import use_locale
from tracker.rates.formats import parse_rate_file
from tracker.rates.publications import detect_source, read_sheet

DATA = Path(__file__).parent.parent / "data" / "rates"
MARCH_7 = date(2025, 3, 7)


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def rates_of(name: str, reporting: str, source: str | None = None) -> dict[tuple[date, str], str]:
    parsed = parse_rate_file(sample(name), source, reporting)
    return {(row.rate_date, row.currency): format(row.rate.normalize(), "f") for row in parsed.rows}


def refusal(data: bytes, source: str | None = None, reporting: str = "AZN") -> str:
    with pytest.raises(Invalid) as refused:
        parse_rate_file(data, source, reporting)
    assert refused.value.field == "file"
    return refused.value.rule


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("cbar-2025-03-07.xml", "cbar"),
        ("ecb-daily.xml", "ecb"),
        ("ecb-hist.xml", "ecb"),
        ("eurofxref.csv", "ecb"),
        ("eurofxref-hist.csv", "ecb"),
        ("plain.csv", "csv"),
    ],
)
def test_the_format_is_detected_from_the_file(name: str, source: str) -> None:
    assert detect_source(sample(name)) == source


def test_cbar_in_azn_is_azn_per_one_unit_without_metals_or_empty_values() -> None:
    parsed = parse_rate_file(sample("cbar-2025-03-07.xml"), "cbar", "AZN")
    assert {(row.rate_date, row.currency): row.rate for row in parsed.rows} == {
        (MARCH_7, "USD"): Decimal("1.7"),
        (MARCH_7, "EUR"): Decimal("1.8442"),
        (MARCH_7, "GBP"): Decimal("2.1934"),
        (MARCH_7, "JPY"): Decimal("0.0115"),  # 1.1500 AZN per 100 yen
        (MARCH_7, "KWD"): Decimal("5.5172"),
        (MARCH_7, "RUB"): Decimal("0.020484"),  # 2.0484 AZN per 100 roubles
        (MARCH_7, "TRY"): Decimal("0.0466"),
    }
    # IRR has an empty value and XDR (the IMF's SDR) is no currency we keep; the metals are not counted.
    assert parsed.skipped == 2
    assert parsed.source == "cbar"


def test_cbar_in_usd_crosses_through_cbars_own_usd_rate() -> None:
    # rate(X) = cbar[X] / cbar[USD], 12 significant digits, half up; AZN itself = 1 / 1.7.
    assert rates_of("cbar-2025-03-07.xml", "USD") == {
        (MARCH_7, "EUR"): "1.08482352941",  # 1.8442 / 1.7 = 1.084823529411...
        (MARCH_7, "GBP"): "1.29023529412",  # 2.1934 / 1.7 = 1.290235294117...
        (MARCH_7, "JPY"): "0.00676470588235",  # 1.15 / (100 × 1.7) = 0.006764705882352...
        (MARCH_7, "KWD"): "3.24541176471",  # 5.5172 / 1.7 = 3.245411764705...
        (MARCH_7, "RUB"): "0.0120494117647",  # 2.0484 / 170 = 0.012049411764705...
        (MARCH_7, "TRY"): "0.0274117647059",  # 0.0466 / 1.7 = 0.027411764705882...
        (MARCH_7, "AZN"): "0.588235294118",  # 1 / 1.7 = 0.588235294117647...
    }


def test_cbar_in_eur_crosses_through_cbars_eur_rate() -> None:
    rates = rates_of("cbar-2025-03-07.xml", "EUR")
    assert rates[(MARCH_7, "USD")] == "0.921808914434"  # 1.7 / 1.8442 = 0.92180891443444...
    assert rates[(MARCH_7, "AZN")] == "0.542240537903"  # 1 / 1.8442 = 0.54224053790261...
    assert (MARCH_7, "EUR") not in rates


def test_cbar_cannot_express_a_currency_it_does_not_list() -> None:
    assert refusal(sample("cbar-2025-03-07.xml"), "cbar", "CHF") == (
        "CBAR rates cannot be expressed in CHF: the file has no CHF rate"
    )


def test_ecb_daily_xml_in_eur_inverts_units_per_euro() -> None:
    rates = rates_of("ecb-daily.xml", "EUR")
    assert rates[(MARCH_7, "USD")] == "0.923361034164"  # 1 / 1.0830 = 0.9233610341643...
    assert rates[(MARCH_7, "JPY")] == "0.00624921884764"  # 1 / 160.02 = 0.006249218847644...
    assert rates[(MARCH_7, "GBP")] == "1.19047619048"  # 1 / 0.84 = 1.190476190476...
    assert len(rates) == 9


def test_ecb_in_usd_crosses_through_the_ecb_usd_rate() -> None:
    rates = rates_of("ecb-daily.xml", "USD")
    assert rates[(MARCH_7, "EUR")] == "1.083"  # one euro is worth ecb[USD] dollars, as published
    assert rates[(MARCH_7, "JPY")] == "0.006767904012"  # 1.0830 / 160.02 = 0.0067679040119985...
    assert rates[(MARCH_7, "TRY")] == "0.027424664472"  # 1.0830 / 39.49 = 0.02742466447202...
    assert rates[(MARCH_7, "GBP")] == "1.28928571429"  # 1.0830 / 0.84 = 1.2892857142857...
    assert (MARCH_7, "USD") not in rates


def test_ecb_rates_cannot_be_expressed_in_azn() -> None:
    assert refusal(sample("ecb-daily.xml"), "ecb", "AZN") == (
        "ECB rates cannot be expressed in AZN: the file has no AZN rate"
    )


def test_ecb_history_xml_has_one_set_of_rates_per_day() -> None:
    rates = rates_of("ecb-hist.xml", "USD")
    assert sorted({day for day, _ in rates}) == [date(2025, 3, 5), date(2025, 3, 6), MARCH_7]
    assert rates[(date(2025, 3, 6), "JPY")] == "0.0067461062113"  # 1.0785 / 159.87
    assert rates[(date(2025, 3, 5), "GBP")] == "1.28518694927"  # 1.0793 / 0.8398
    assert rates[(date(2025, 3, 5), "EUR")] == "1.0793"
    assert len(rates) == 12  # 3 days × (JPY, TRY, GBP, EUR)


def test_ecb_daily_csv_reads_english_dates_and_spaces_like_the_xml() -> None:
    assert rates_of("eurofxref.csv", "EUR") == rates_of("ecb-daily.xml", "EUR")


def test_ecb_history_csv_skips_n_a_and_withdrawn_currencies() -> None:
    parsed = parse_rate_file(sample("eurofxref-hist.csv"), "ecb", "USD")
    rates = rates_of("eurofxref-hist.csv", "USD")
    old = date(2008, 1, 2)
    assert rates[(old, "RUB")] == "0.0408737999165"  # 1.4688 / 35.9350; RUB is N/A in 2025
    assert rates[(old, "TRY")] == "0.855944055944"  # 1.4688 / 1.7160
    assert (MARCH_7, "RUB") not in rates
    assert (old, "CYP") not in rates
    assert parsed.skipped == 1  # the Cyprus pound of 2008, a withdrawn currency
    assert len(rates) == 5 + 5 + 6  # each day JPY, BGN, GBP, TRY and EUR; RUB only in 2008
    assert (old, "EUR") in rates


def test_plain_csv_is_taken_as_reporting_currency_units() -> None:
    parsed = parse_rate_file(sample("plain.csv"), "csv", "AZN")
    assert [(row.currency, str(row.rate), str(row.where)) for row in parsed.rows] == [
        ("USD", "1.7", "line 2"),
        ("EUR", "1.8442", "line 3"),
        ("JPY", "0.0115", "line 4"),
    ]
    assert parsed.skipped == 1  # XDR


def test_figures_are_read_exactly_never_through_float() -> None:
    sheet = read_sheet(b"date,currency,rate\n2025-03-07,KWD,5.51720000000000000001\n", "csv")
    assert sheet.quotes[0].value == Decimal("5.51720000000000000001")


@pytest.mark.parametrize(
    ("data", "source", "message"),
    [
        (
            b"date,currency,rate\n2025-03-07,USD,1.7\n2025-03-07,EUR,1,8442\n",
            "csv",
            "line 3: expected 3 values (date, currency, rate), got 4",
        ),
        (
            b"date,currency,rate\n2025-03-07,USD,1.7\n\n2025-03-07,EUR,1.84x\n",
            "csv",
            "line 4: rate '1.84x' is not a number",
        ),
        (b"date,currency,rate\n07.03.2025,USD,1.7\n", "csv", "line 2: '07.03.2025' is not a date (YYYY-MM-DD)"),
        (b"date,currency,rate\n2025-03-07,DOLLAR,1.7\n", "csv", "line 2: 'DOLLAR' is not a currency code"),
        (b"date,currency,rate\n2025-03-07,USD,0\n", "csv", "line 2: rate must be more than zero, got 0"),
        (b"date,currency,rate\n2025-03-07,USD,-1.7\n", "csv", "line 2: rate must be more than zero, got -1.7"),
        (b"date,currency,rate\n2025-03-07,USD,--1.7\n", "csv", "line 2: rate '--1.7' is not a number"),
        (b"date,currency,rate\n2025-03-07,USD,+1.7\n", "csv", "line 2: rate '+1.7' is not a number"),
        (b"date,currency,rate\n2025-03-07,USD,1.7\n2025-03-07,USX,1.8\n", "csv", "line 3: USX is not a currency code"),
        (b"Date,USD,USX,\n2025-03-07,1.0830,N/A,\n", "ecb", "line 1, column 3: USX is not a currency code"),
        (
            b"Date,USD,JPY,\n2025-03-07,1.0830,-160.02,\n",
            "ecb",
            "line 2, column JPY: rate must be more than zero, got -160.02",
        ),
        (b"date,currency,rate\n2025-03-07,USD,NaN\n", "csv", "line 2: rate 'NaN' is not a number"),
        (b"date,currency,rate\n2025-03-07,USD,1e3\n", "csv", "line 2: rate '1e3' is not a number"),
        (
            b"date,currency,rate\n2025-03-07,USD,1.7\n2025-03-07,USD,1.8\n",
            "csv",
            "line 3: USD on 2025-03-07 already has a different rate (line 2)",
        ),
        (b"day,code,value\n2025-03-07,USD,1.7\n", "csv", "line 1: the header must be date,currency,rate"),
        (
            b"Date,USD,JPY,\n2025-03-07,1.0830,160.02,\n2025-03-06,1.0785,159,87,\n",
            "ecb",
            "line 3: more values than the header has columns",
        ),
        (b"Date,USD,JPY,\n2025-03-07,1.0830,16O.02,\n", "ecb", "line 2, column JPY: rate '16O.02' is not a number"),
        (b"Date, USD, \n7 Marc 2025, 1.0830, \n", "ecb", "line 2: '7 Marc 2025' is not a date (YYYY-MM-DD)"),
    ],
)
def test_a_malformed_csv_is_refused_naming_the_line(data: bytes, source: str, message: str) -> None:
    assert refusal(data, source) == message


def test_a_code_iso_never_had_is_skipped_and_counted_only_when_asked() -> None:
    data = b"date,currency,rate\n2025-03-07,USD,1.7\n2025-03-07,USX,1.8\n2025-03-07,CYP,2.9\n"
    sheet = read_sheet(data, "csv", skip_unknown=True)
    assert [(q.currency, q.value) for q in sheet.quotes] == [("USD", Decimal("1.7"))]
    assert sheet.skipped == 2  # USX (a typo, skipped as asked) and CYP (withdrawn, always skipped)
    assert read_sheet(data.replace(b"USX", b"SIT"), "csv").skipped == 2  # Slovenian tolar: withdrawn, real


def test_a_cbar_code_iso_never_had_is_refused_naming_the_element() -> None:
    data = sample("cbar-2025-03-07.xml").replace(b'<Valute Code="KWD">', b'<Valute Code="KWX">')
    assert refusal(data, "cbar") == 'Valute Code="KWX": KWX is not a currency code'
    assert read_sheet(data, "cbar", skip_unknown=True).skipped == 3  # KWX beside the two skipped before


def test_an_ecb_xml_code_iso_never_had_is_refused_naming_the_element() -> None:
    data = sample("ecb-hist.xml").replace(b'currency="TRY" rate="39.3700"', b'currency="TRX" rate="39.3700"')
    assert refusal(data, "ecb", "EUR") == "Cube time='2025-03-06', Cube currency='TRX': TRX is not a currency code"
    assert read_sheet(data, "ecb", skip_unknown=True).skipped == 1


def test_a_cbar_valute_without_code_is_refused_naming_the_element() -> None:
    data = sample("cbar-2025-03-07.xml").replace(b'<Valute Code="KWD">', b"<Valute>")
    assert refusal(data, "cbar") == 'ValType "Xarici valyutalar", Valute 5: the Code attribute is missing'


def test_a_cbar_bad_value_is_refused_naming_the_currency() -> None:
    data = sample("cbar-2025-03-07.xml").replace(b"<Value>0.0466</Value>", b"<Value>0,0466</Value>")
    assert refusal(data, "cbar") == "Valute Code=\"TRY\": Value '0,0466' is not a number"


def test_a_cbar_nominal_that_is_not_whole_is_refused() -> None:
    data = sample("cbar-2025-03-07.xml").replace(
        b"<Nominal>100</Nominal>\n      <Name>100 Yap", b"<Nominal>1 t.u.</Nominal>\n      <Name>100 Yap"
    )
    assert refusal(data, "cbar") == "Valute Code=\"JPY\": Nominal '1 t.u.' is not a whole number"


def test_a_cbar_file_without_its_date_is_refused() -> None:
    data = sample("cbar-2025-03-07.xml").replace(b'Date="07.03.2025" ', b"")
    assert refusal(data, "cbar") == "ValCurs: the Date attribute is missing"


def test_an_ecb_cube_without_rate_is_refused_naming_the_element() -> None:
    data = sample("ecb-hist.xml").replace(b'<Cube currency="TRY" rate="39.3700"/>', b'<Cube currency="TRY"/>')
    assert refusal(data, "ecb", "EUR") == "Cube time='2025-03-06', Cube currency='TRY': the rate attribute is missing"


def test_an_ecb_day_without_time_is_refused() -> None:
    data = sample("ecb-hist.xml").replace(b'<Cube time="2025-03-06">', b"<Cube>")
    assert refusal(data, "ecb", "EUR") == "Cube 2 of the outer Cube: the time attribute is missing"


def test_xml_that_is_not_well_formed_is_refused_with_its_position() -> None:
    data = sample("ecb-daily.xml").replace(b"</Cube>\n\t</Cube>", b"</Cube>")
    assert refusal(data, "ecb", "EUR").startswith("not well-formed XML: ")


def test_xml_with_entities_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY a "aaaaaaaa">]><ValCurs Date="07.03.2025">&a;</ValCurs>'
    assert refusal(bomb, "cbar") == "XML with a DOCTYPE or entities is refused"
    external = b'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY e SYSTEM "file:///etc/passwd">]><ValCurs>&e;</ValCurs>'
    assert refusal(external, None) == "XML with a DOCTYPE or entities is refused"


def test_a_file_of_another_kind_is_refused() -> None:
    assert refusal(sample("ecb-daily.xml"), "cbar") == (
        "not a CBAR rates file: the root element is {http://www.gesmes.org/xml/2002-08-01}Envelope, not ValCurs"
    )
    assert refusal(b"name,amount\nx,1\n") == (
        "not a CBAR or ECB rates file, nor a CSV file with the header date,currency,rate"
    )
    assert refusal(b"\xff\xfe\x00d") == "the file is not UTF-8 text (byte 1)"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "line 2, column JPY: rate '16O.02' is not a number"),
        ("az", "sətir 2, sütun JPY: məzənnə '16O.02' rəqəm deyil"),
        ("ru", "строка 2, столбец JPY: курс '16O.02' — не число"),
    ],
)
def test_where_a_refusal_points_is_said_in_the_readers_language(language: str, expected: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_rate_file(b"Date,USD,JPY,\n2025-03-07,1.0830,16O.02,\n", "ecb", "AZN")
    with use_locale(language):  # translated when read, not when the file was parsed
        assert refused.value.rule == expected


def test_a_rates_file_over_the_limit_is_refused_by_its_size_before_it_is_read() -> None:
    from tracker.rates.publications import MAX_FILE_BYTES

    assert MAX_FILE_BYTES == 16 * 1024 * 1024
    rate_line = b"2023-02-10,USD,1.7000\n"
    data = b"date,currency,rate\n" + rate_line * (MAX_FILE_BYTES // len(rate_line) + 1)  # a valid file, too long
    with pytest.raises(Invalid) as refused:
        parse_rate_file(data, None, "AZN")
    assert (refused.value.field, refused.value.rule) == (
        "file",
        "is larger than 16 MiB, more than any bank publishes; split it",
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("az", "sətir 3: USX valyuta kodu deyil"),
        ("tr", "satır 3: USX bir para birimi kodu değil"),
        ("ru", "строка 3: USX — не код валюты"),
    ],
)
def test_a_mistyped_code_is_refused_in_the_readers_language(language: str, expected: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_rate_file(b"date,currency,rate\n2025-03-07,USD,1.7\n2025-03-07,USX,1.8\n", "csv", "AZN")
    with use_locale(language):
        assert refused.value.rule == expected
