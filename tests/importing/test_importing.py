"""Importing contributions from CSV and XLSX: every bad row named, all or nothing, re-import adds nothing."""

from __future__ import annotations

import io
import sys
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import make_appeal, make_donor, make_item, make_recipient, money_line
from openpyxl import Workbook
from sqlmodel import Session, func, select

from tracker.core.bulk import dedicated_process
from tracker.core.errors import Invalid
from tracker.core.i18n import use_locale
from tracker.db.models import Contribution, ContributionLine, Donor, JournalEvent, Recipient
from tracker.importing import service as importing
from tracker.importing.files import template_csv
from tracker.importing.inserts import Batch, Inserter
from tracker.importing.report import ImportRefused
from tracker.importing.service import import_contributions
from tracker.ledger.service import ContributionInput, record_contribution
from tracker.ledger.verify import run_checks

HEADER = "key,date,status,donor,recipient,appeal,kind,amount,currency,item,quantity,unit_value,valuation"


@pytest.fixture
def ledger(session: Session) -> None:
    make_donor(session, "Azərbaycan Həmkarlar İttifaqları Konfederasiyası", email="info@ahik.example")
    make_donor(session, "Kuwait Red Crescent")
    make_recipient(session, "AFAD")
    make_appeal(session, "TUR-EQ-2023")
    make_item(session, "Container house")


def csv_file(*rows: str, header: str = HEADER, separator: str = ",", bom: bool = False) -> io.BytesIO:
    text = "\r\n".join([header, *rows]).replace(",", separator) + "\r\n"
    return io.BytesIO(("\ufeff" if bom else "").encode() + text.encode())


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def money_rows(n: int) -> list[str]:
    """Rows of i.500 KWD, written i.5: three digits after a lone point are ambiguous in en (see below)."""
    return [f"K-{i},2023-02-10,paid,Kuwait Red Crescent,AFAD,TUR-EQ-2023,money,{i}.5,KWD,,,," for i in range(1, n + 1)]


def test_a_clean_file_is_recorded_exactly_and_verifies(session: Session, ledger: None) -> None:
    report = import_contributions(
        session,
        csv_file(
            "A-1,2023-02-10,paid,info@ahik.example,AFAD,tur-eq-2023,money,500000.00,AZN,,,,",
            "A-2,2023-02-10,pledged,Azərbaycan Həmkarlar İttifaqları Konfederasiyası,AFAD,,goods,,AZN,"
            "Container house,10,12000,donor_declared",
            "A-3,2023-02-11,paid,Kuwait Red Crescent,AFAD,,money,75250.5,KWD,,,,",
        ),
        None,
    )
    assert (report.rows, report.created, report.skipped) == (3, 3, 0)
    lines = session.exec(select(ContributionLine).order_by(ContributionLine.id)).all()  # type: ignore[arg-type]
    assert [(line.kind, line.value_minor, line.currency, line.quantity_milli) for line in lines] == [
        ("money", 50000000, "AZN", None),
        ("goods", 12000000, "AZN", 10000),
        ("money", 75250500, "KWD", None),
    ]
    numbers = session.exec(select(Contribution.number).order_by(Contribution.id)).all()  # type: ignore[arg-type]
    assert numbers == ["C-2023-000001", "C-2023-000002", "C-2023-000003"]
    assert run_checks(session) == []
    recorded = session.exec(select(func.count()).where(JournalEvent.action == "contribution.recorded")).one()
    assert recorded == 3


def test_one_bad_row_in_a_thousand_commits_nothing_and_is_named(session: Session, ledger: None) -> None:
    rows = money_rows(1000)
    rows[997] = "K-998,2023-02-10,paid,Kuwait Red Crescent,AFAD,TUR-EQ-2023,money,12.3456,KWD,,,,"
    with pytest.raises(ImportRefused) as refused:
        import_contributions(session, csv_file(*rows), None)
    report = refused.value.report
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (999, "amount", "KWD has 3 decimal places, got 12.3456")
    ]
    assert str(refused.value) == "bad rows: 1, problems: 1; nothing was imported"
    assert count(session, Contribution) == 0


def test_every_bad_row_is_listed(session: Session, ledger: None) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_contributions(
            session,
            csv_file(
                "B-1,2023-02-30,paid,Kuwait Red Crescent,AFAD,,money,10,USD,,,,",
                "B-2,2023-02-10,given,Nobody,AFAD,,money,10,USD,,,,",
                "B-3,2023-02-10,paid,Kuwait Red Crescent,AFAD,NOPE,gift,,,,,,",
                "B-4,2023-02-10,paid,Kuwait Red Crescent,AFAD,,goods,,,Tent,5,,",
                "B-4,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,1e3,USD,,,,",
                "B-5,2023-02-10,paid,Nobody,AFAD,,money,10,USD,,,,",
            ),
            None,
        )
    problems = [(p.row, p.column, p.message) for p in refused.value.report.problems]
    assert problems == [
        (2, "date", "2023-02-30 is not a real date"),
        (3, "status", "must be one of pledged, committed, paid, got 'given'"),
        (4, "appeal", "no appeal with code NOPE"),
        (4, "kind", "must be one of money, goods, service, got 'gift'"),
        (5, "item", "no catalogue item named Tent"),
        (6, "amount", "'1e3' is not a number"),
        (6, "key", "the key B-4 appears twice in the file"),
        (7, "donor", "no donor with email or name 'Nobody'; give donor_kind to create it"),
    ]


def test_importing_the_same_file_again_adds_nothing(session: Session, ledger: None) -> None:
    rows = [*money_rows(3), ",2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,10,USD,,,,"] * 1
    rows.append(",2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,10,USD,,,,")  # the same gift twice, no key
    first = import_contributions(session, csv_file(*rows), None)
    assert (first.created, first.skipped) == (5, 0)
    again = import_contributions(session, csv_file(*rows), None)
    assert (again.created, again.skipped) == (0, 5)
    more = import_contributions(session, csv_file(*rows, *money_rows(4)[3:]), None)
    assert (more.created, more.skipped) == (1, 5)
    assert count(session, Contribution) == 6
    assert run_checks(session) == []


def test_row_keys_hold_across_chunks(session: Session, ledger: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys of earlier chunks are kept on disk, not in memory: a key repeated chunks later is still caught,
    and identical rows without a key are counted across chunks, as a file read in one chunk counts them."""
    same = ",2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,10,USD,,,,"
    rows = [*money_rows(3), same, same, "K-5,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,5,USD,,,,", same]
    monkeypatch.setattr(importing, "CHUNK", 2)
    repeated = [*rows[:5], rows[1]]  # K-2 again, in the third chunk
    with pytest.raises(ImportRefused) as refused, session.begin_nested():  # rolled back, as every caller does
        import_contributions(session, csv_file(*repeated), None)
    assert [(p.row, p.column, p.message) for p in refused.value.report.problems] == [
        (7, "key", "the key K-2 appears twice in the file")
    ]
    assert count(session, Contribution) == 0  # the chunks written before the bad row went too
    first = import_contributions(session, csv_file(*rows), None)
    assert (first.created, first.skipped) == (7, 0)  # the three rows alike are three gifts
    monkeypatch.setattr(importing, "CHUNK", 4000)
    again = import_contributions(session, csv_file(*rows, same), None)
    assert (again.created, again.skipped) == (1, 7)  # read in one chunk, the same keys: only the fourth is new
    assert count(session, Contribution) == 8


def test_a_file_of_many_chunks_comes_out_as_if_entered_one_by_one(
    session: Session, ledger: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk is built while the one before it is inserted: an entry recorded earlier in the same transaction,
    rows imported before, and a donor created mid-file still leave one numbered, chained, counted ledger."""
    monkeypatch.setattr(importing, "CHUNK", 2)
    switch, real_setter, intervals = sys.getswitchinterval(), sys.setswitchinterval, []
    monkeypatch.setattr(sys, "setswitchinterval", lambda interval: (intervals.append(interval), real_setter(interval)))
    donor = session.exec(select(Donor).where(Donor.name == "Kuwait Red Crescent")).one()
    afad = session.exec(select(Recipient).where(Recipient.name == "AFAD")).one()
    by_hand = ContributionInput(donor.id, afad.id, date(2023, 2, 9), "paid", [money_line("5.00 USD")])  # type: ignore[arg-type]
    record_contribution(session, by_hand, None)
    header = HEADER + ",donor_kind"
    rows = [row + "," for row in money_rows(6)]  # K-1 … K-3 are in already
    rows.insert(4, "A-1,2024-01-05,paid,Ayşe Yılmaz,AFAD,,money,100,TRY,,,,,individual")  # a new donor, a new year
    rows.append("A-2,2024-01-06,pledged,Ayşe Yılmaz,AFAD,,money,200,TRY,,,,,")
    with dedicated_process():  # as the CLI runs it: the quick switch interval is its to take, and give back
        assert import_contributions(session, csv_file(*money_rows(3)), None).created == 3
        report = import_contributions(session, csv_file(*rows, header=header), None)
    assert (report.created, report.skipped, report.donors_created) == (5, 3, ["Ayşe Yılmaz"])
    numbers = session.exec(select(Contribution.number).order_by(Contribution.id)).all()  # type: ignore[arg-type]
    assert numbers == [f"C-2023-{n:06d}" for n in range(1, 6)] + ["C-2024-000001", "C-2023-000006", "C-2023-000007",
                                                                 "C-2024-000002"]  # fmt: skip
    assert run_checks(session) == []  # the journal's chain, the numbers handed out, the totals
    assert sys.getswitchinterval() == switch
    if Inserter(session).threaded:  # SQLite: the inserts ran beside the building, with the quick interval
        assert intervals[0] == 0.0005 and intervals[-1] == switch


def test_an_insert_the_database_refuses_is_raised_as_sqlalchemy_raises_it(session: Session) -> None:
    inserter = Inserter(session)
    names = ("source_key", "contribution_id", "row_number")
    orphan = Batch("imported_row", names, [("k", 999_999, 2)], {"import_id": "x"})
    with pytest.raises(sa.exc.IntegrityError):  # no contribution 999999: the CLI prints one line, not a traceback
        inserter.submit([orphan])
        inserter.wait()


@pytest.mark.parametrize(("separator", "bom"), [(",", True), (";", False), (";", True)])
def test_bom_and_semicolon_files_read_alike(session: Session, ledger: None, separator: str, bom: bool) -> None:
    rows = ["S-1,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,1000000,JPY,,,,"]
    report = import_contributions(session, csv_file(*rows, separator=separator, bom=bom), None)
    assert report.created == 1
    line = session.exec(select(ContributionLine)).one()
    assert (line.value_minor, line.currency) == (1000000, "JPY")


def test_a_semicolon_file_may_use_decimal_commas(session: Session, ledger: None) -> None:
    text = HEADER.replace(",", ";") + "\nS-1;2023-02-10;paid;Kuwait Red Crescent;AFAD;;money;75250,5;KWD;;;;\n"
    import_contributions(session, io.BytesIO(text.encode()), None)
    assert session.exec(select(ContributionLine.value_minor)).one() == 75250500


def test_an_xlsx_file_is_read_without_floats(session: Session, ledger: None) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["X-1", date(2023, 2, 10), "paid", "Kuwait Red Crescent", "AFAD", None, "money",
                  Decimal("75250.5"), "KWD"])  # fmt: skip
    sheet.append(["X-2", "2023-02-10", "paid", "Kuwait Red Crescent", "AFAD", None, "money", 0.1 + 0.2, "USD"])
    sheet.append(["X-3", date(2023, 2, 10), "pledged", "info@ahik.example", "AFAD", None, "goods", None, "AZN",
                  "Container house", 20, Decimal("12000.00"), "invoice"])  # fmt: skip
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    report = import_contributions(session, data, None)
    assert report.created == 3
    values = session.exec(select(ContributionLine.value_minor).order_by(ContributionLine.id)).all()  # type: ignore[arg-type]
    assert values == [75250500, 30, 24000000]  # 0.30000000000000004 as Excel shows it: 0.3
    assert run_checks(session) == []


def test_donors_and_recipients_are_created_only_when_the_file_says_so(session: Session, ledger: None) -> None:
    header = HEADER + ",donor_kind,recipient_kind,donor_country"
    rows = [
        "N-1,2023-02-10,paid,Ayşe Yılmaz,Hatay field hospital,,money,100,TRY,,,,,individual,programme,TR",
        "N-2,2023-02-11,paid,Ayşe Yılmaz,Hatay field hospital,,money,200,TRY,,,,,,,",
    ]
    preview = import_contributions(session, csv_file(*rows, header=header), None, dry_run=True)
    assert (preview.created, preview.donors_created, preview.recipients_created) == (
        2,
        ["Ayşe Yılmaz"],
        ["Hatay field hospital"],
    )
    assert count(session, Contribution) == 0 and count(session, Donor) == 2
    import_contributions(session, csv_file(*rows, header=header), None)
    donor = session.exec(select(Donor).where(Donor.name == "Ayşe Yılmaz")).one()
    assert (donor.kind, donor.country) == ("individual", "TR")
    assert count(session, Recipient) == 2 and count(session, Contribution) == 2


def test_an_ambiguous_donor_is_an_error(session: Session, ledger: None) -> None:
    make_donor(session, "Kuwait Red Crescent")
    with pytest.raises(ImportRefused) as refused:
        import_contributions(session, csv_file(*money_rows(1)), None)
    (problem,) = refused.value.report.problems
    assert (problem.row, problem.column) == (2, "donor")
    assert problem.message == "2 donors match 'Kuwait Red Crescent'; make the name unique or use the email"


def test_problems_are_whole_sentences_in_the_readers_language(session: Session, ledger: None) -> None:
    make_donor(session, "Kuwait Red Crescent")
    make_recipient(session, "AFAD")
    rows = [*money_rows(1), "K-2,2023-02-10,paid,Nobody,AFAD,,money,10,USD,,,,,extra",
            "K-3,2023-02-10,paid,Nobody,Hatay,,money,10,USD,,,,"]  # fmt: skip
    with use_locale("ru"), pytest.raises(ImportRefused) as refused:
        import_contributions(session, csv_file(*rows), None)
    assert [(p.row, p.column, p.message) for p in refused.value.report.problems] == [
        (2, "donor", "имени 'Kuwait Red Crescent' соответствуют 2 донора; сделайте имя уникальным или укажите email"),
        (2, "recipient", "имени 'AFAD' соответствуют 2 получателя; сделайте имя уникальным"),
        (3, "", "за последним столбцом заголовка есть 1 ячейка"),
        (4, "donor", "нет донора с email или именем 'Nobody'; чтобы создать его, укажите donor_kind"),
        (4, "recipient", "нет получателя с именем 'Hatay'; чтобы создать его, укажите recipient_kind"),
    ]
    with use_locale("tr"):
        assert str(refused.value) == "hatalı satır: 3, sorun: 5; hiçbir şey içe aktarılmadı"


@pytest.mark.parametrize(
    ("content", "field"),
    [(b"date,status\n2023-02-10,paid\n", "header"), (b"\xff\xfe\x00garbage", "file"),
     (b"PK\x03\x04 not really a zip", "file"), (HEADER.encode() + b",colour\n", "header")],
)  # fmt: skip
def test_a_bad_file_is_one_clear_error(session: Session, ledger: None, content: bytes, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        import_contributions(session, io.BytesIO(content), None)
    assert refused.value.field == field


def test_the_template_imports_once_its_names_exist(session: Session, ledger: None) -> None:
    template = template_csv()
    assert template.splitlines()[0].startswith("key,date,status,donor,")
    report = import_contributions(session, io.BytesIO(template.encode()), None, dry_run=True)
    assert report.created == 2


# Amounts are read by the entry form's own parser (tracker.core.parsing.parse_amount), in the import's locale:
# en groups thousands with a comma, tr and az with a point, ru with a space.
LOCALE_HEADER = "key,date,status,donor,recipient,kind,amount,currency,item,quantity,unit_value,valuation"


def locale_rows(*cells: str) -> io.BytesIO:
    """Money rows of Kuwait Red Crescent to AFAD, one per amount and currency given as 'amount currency'."""
    return csv_file(
        *(
            f'L-{n},2023-02-10,paid,Kuwait Red Crescent,AFAD,money,"{amount}",{currency},,,,'
            for n, (amount, currency) in enumerate((cell.rsplit(" ", 1) for cell in cells), start=1)
        ),
        header=LOCALE_HEADER,
    )


def stored_values(session: Session) -> list[tuple[int | None, str]]:
    lines = session.exec(select(ContributionLine).order_by(ContributionLine.id)).all()  # type: ignore[arg-type]
    return [(line.value_minor, line.currency) for line in lines]


def test_a_point_with_three_digits_is_refused_as_ambiguous_in_english(session: Session, ledger: None) -> None:
    """The issue's 1,000× error: '1.500' TRY was stored as 1.50 TRY without a word."""
    with pytest.raises(ImportRefused) as refused:
        import_contributions(session, locale_rows("10 TRY", "1.500 TRY"), None)
    assert [(p.row, p.column, p.message) for p in refused.value.report.problems] == [
        (3, "amount", "'1.500' is ambiguous: it could be 1.5 or 1,500; type it without doubt")
    ]
    assert count(session, Contribution) == 0


def test_english_reads_a_comma_as_thousands(session: Session, ledger: None) -> None:
    import_contributions(session, locale_rows("1,500 TRY", "1,500.50 TRY", "1500.5 TRY"), None, locale="en")
    assert stored_values(session) == [(150000, "TRY"), (150050, "TRY"), (150050, "TRY")]


@pytest.mark.parametrize("locale", ["tr", "az"])
def test_turkish_and_azerbaijani_read_a_point_as_thousands(session: Session, ledger: None, locale: str) -> None:
    import_contributions(session, locale_rows("1.500 TRY", "1.500,50 TRY", "75 250,5 KWD"), None, locale=locale)
    assert stored_values(session) == [(150000, "TRY"), (150050, "TRY"), (75250500, "KWD")]


@pytest.mark.parametrize("locale", ["tr", "az"])
def test_a_comma_with_three_digits_is_refused_in_turkish_and_azerbaijani(
    session: Session, ledger: None, locale: str
) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_contributions(session, locale_rows("1.500 TRY", "1,500 TRY", "1.5.0 TRY"), None, locale=locale)
    assert [(p.row, p.column, p.message) for p in refused.value.report.problems] == [
        (3, "amount", "'1,500' is ambiguous: it could be 1,5 or 1.500; type it without doubt"),
        (4, "amount", "'1.5.0' has a thousands separator in the wrong place"),
    ]
    assert count(session, Contribution) == 0


def test_russian_refuses_both_marks_with_three_digits(session: Session, ledger: None) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_contributions(session, locale_rows("1.500 RUB", "1,500 RUB", "1 500,50 RUB"), None, locale="ru")
    assert [(p.row, p.column, p.message) for p in refused.value.report.problems] == [
        (2, "amount", "'1.500' is ambiguous: it could be 1,5 or 1\xa0500; type it without doubt"),
        (3, "amount", "'1,500' is ambiguous: it could be 1,5 or 1\xa0500; type it without doubt"),
    ]


def test_quantities_and_unit_values_are_read_in_the_locale_too(session: Session, ledger: None) -> None:
    rows = [
        'G-1,2023-02-10,paid,Kuwait Red Crescent,AFAD,goods,,TRY,Container house,1.500,"12,50",invoice',
        'G-2,2023-02-10,paid,Kuwait Red Crescent,AFAD,goods,,TRY,Container house,"2,5",1.000,invoice',
        'G-3,2023-02-10,paid,Kuwait Red Crescent,AFAD,goods,,TRY,Container house,"1,000",1,invoice',
        'G-4,2023-02-10,paid,Kuwait Red Crescent,AFAD,goods,,TRY,Container house,1,"1,000",invoice',
    ]
    with pytest.raises(ImportRefused) as refused:
        import_contributions(session, csv_file(*rows, header=LOCALE_HEADER), None, locale="tr")
    assert [(p.row, p.column, p.message) for p in refused.value.report.problems] == [
        (4, "quantity", "'1,000' is ambiguous: it could be 1 or 1.000; type it without doubt"),
        (5, "unit_value", "'1,000' is ambiguous: it could be 1 or 1.000; type it without doubt"),
    ]
    assert count(session, Contribution) == 0
    import_contributions(session, csv_file(*rows[:2], header=LOCALE_HEADER), None, locale="tr")
    lines = session.exec(select(ContributionLine).order_by(ContributionLine.id)).all()  # type: ignore[arg-type]
    # 1,500 houses at 12.50 TRY = 18,750.00 TRY; 2.5 houses at 1,000 TRY = 2,500.00 TRY.
    assert [(line.quantity_milli, line.unit_value_minor, line.value_minor) for line in lines] == [
        (1500000, 1250, 1875000),
        (2500, 100000, 250000),
    ]


def test_xlsx_number_cells_stay_exact_and_its_text_cells_are_read_in_the_locale(session: Session, ledger: None) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(LOCALE_HEADER.split(","))
    row = ["2023-02-10", "paid", "Kuwait Red Crescent", "AFAD", "money"]
    sheet.append(["X-1", *row, Decimal("1.500"), "TRY"])  # a number cell: 1.5, whatever the language
    sheet.append(["X-2", *row, "1.500", "TRY"])  # text, as typed: one thousand five hundred in tr
    sheet.append(["X-3", *row, Decimal("75250.125"), "KWD"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    import_contributions(session, data, None, locale="tr")
    assert stored_values(session) == [(150, "TRY"), (150000, "TRY"), (75250125, "KWD")]


def test_an_unknown_locale_is_refused(session: Session, ledger: None) -> None:
    with pytest.raises(Invalid) as refused:
        import_contributions(session, locale_rows("10 TRY"), None, locale="de")
    assert (refused.value.field, refused.value.rule) == ("locale", "must be one of en, az, tr, ru, got 'de'")


def test_a_row_longer_than_the_header_is_named_and_the_file_read_on(session: Session, ledger: None) -> None:
    rows = [*money_rows(1), "K-2,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,10,USD,,,,,oops,and more",
            "K-3,2023-02-10,paid,Kuwait Red Crescent,AFAD,,money,10,USD,,,,,surplus"]  # fmt: skip
    with pytest.raises(ImportRefused) as refused:
        import_contributions(session, csv_file(*rows), None)
    assert [(p.row, p.column, p.message) for p in refused.value.report.problems] == [
        (3, "", "has 2 cells past the last column of the header"),
        (4, "", "has 1 cell past the last column of the header"),
    ]
    assert count(session, Contribution) == 0
