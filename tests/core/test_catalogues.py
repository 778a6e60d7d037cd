"""The catalogues keep up with the code: every message is in az, tr and ru, translated, with its placeholders."""

import ast
import re
import string
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tracker.core import vocabulary
from tracker.core.errors import Invalid
from tracker.core.i18n import LANGUAGES, translations_for, use_locale
from tracker.db import columns

ROOT = Path(__file__).resolve().parent.parent.parent
LOCALE_DIR = ROOT / "tracker" / "locale"
TRANSLATED = ("az", "tr", "ru")
PLURAL_FORMS = {
    "az": "nplurals=2; plural=(n != 1);",
    "tr": "nplurals=2; plural=(n != 1);",
    "ru": "nplurals=3; plural=n % 10 == 1 && n % 100 != 11 ? 0 : n % 10 >= 2 && n % 10 <= 4 && "
    "(n % 100 < 12 || n % 100 > 14) ? 1 : 2;",
}
Key = tuple[str | None, str]


@cache
def extracted() -> dict[Key, str | tuple[str, ...]]:
    """What `pybabel extract -F babel.cfg` finds in the sources, keyed by (context, msgid)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[Key, str | tuple[str, ...]] = {}
    for _, _, message, _, context in extract_from_dir(str(ROOT), method_map, options_map):
        found[(context, message if isinstance(message, str) else message[0])] = message
    return found


@cache
def catalogue(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=language)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def messages(cat: Catalog) -> dict[Key, Message]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in cat if m.id}


def placeholders(text: str) -> set[str]:
    """The named parameters of a message: {name} for Python templates, %(name)s for Jinja ones."""
    if re.search(r"%\(\w+\)s", text):
        return set(re.findall(r"%\((\w+)\)s", text))
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_the_sources_hold_messages_from_python_and_templates() -> None:
    keys = extracted()
    assert (None, "Aid tracker") in keys  # a template
    assert (None, "{currency} has no minor units, got {amount}") in keys  # an Invalid(...) template
    assert (None, "{count} person-day") in keys  # ngettext
    assert ("status", "paid") in keys  # pgettext
    assert (None, "contribution {id} does not exist") in keys  # NotFound(...)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalogue_parses_and_has_its_plural_header(language: str) -> None:
    text = po_path(language).read_text(encoding="utf-8")
    assert f'"Language: {language}\\n"' in text
    assert f'"Plural-Forms: {PLURAL_FORMS[language]}\\n"' in text
    assert catalogue(po_path(language), language).num_plurals == {"az": 2, "tr": 2, "ru": 3}[language]


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("az", {1: "1 saat", 2: "2 saat", 5: "5 saat"}),
        ("tr", {1: "1 saat", 2: "2 saat", 5: "5 saat"}),
        ("ru", {1: "1 час", 2: "2 часа", 5: "5 часов", 11: "11 часов", 21: "21 час", 22: "22 часа", 112: "112 часов"}),
    ],
)
def test_plural_forms_are_chosen_by_the_languages_rule(language: str, forms: dict[int, str]) -> None:
    hours = translations_for(language)
    assert {n: hours.ngettext("{count} hour", "{count} hours", n).format(count=n) for n in forms} == forms


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_in_the_code_is_translated_and_none_is_fuzzy(language: str) -> None:
    cat = catalogue(po_path(language), language)
    held = messages(cat)
    problems = []
    for key, source in extracted().items():
        entry = held.get(key)
        if entry is None:
            problems.append(f"missing: {key}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {key}")
        if isinstance(source, tuple) != entry.pluralizable:
            problems.append(f"plural forms differ from the code: {key}")
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.pluralizable and len(forms) != cat.num_plurals:
            problems.append(f"{len(forms)} plural forms instead of {cat.num_plurals}: {key}")
        if not all(forms):
            problems.append(f"untranslated: {key}")
    stale = sorted(str(key) for key in set(held) - set(extracted()))
    assert not problems, "\n".join([*problems, "run the commands in docs/languages.md"])
    assert not stale, f"no longer in the code (run pybabel update): {stale}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language: str) -> None:
    problems = []
    for key, entry in messages(catalogue(po_path(language), language)).items():
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        expected = set().union(*(placeholders(i) for i in ids))
        for form in entry.string if isinstance(entry.string, tuple) else (entry.string,):
            if form and placeholders(form) != expected:
                problems.append(f"{key}: {form!r} has {sorted(placeholders(form))}, expected {sorted(expected)}")
    assert not problems, "\n".join(problems)


def test_the_template_file_is_up_to_date() -> None:
    pot = messages(catalogue(LOCALE_DIR / "messages.pot"))
    assert set(pot) == set(extracted()), "run the commands in docs/languages.md"


ERROR_TEMPLATES = {
    "Invalid": (1,), "NotFound": (0,), "Conflict": (0,), "TrackerError": (0,), "Plural": (0, 1), "problem": (2,)
}  # fmt: skip
GETTEXT = {"_": (0,), "gettext": (0,), "N_": (0,), "ngettext": (0, 1), "pgettext": (0, 1)}


def test_messages_are_written_as_templates_never_built_with_f_strings() -> None:
    built = []
    for path in sorted((ROOT / "tracker").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            for position in {**ERROR_TEMPLATES, **GETTEXT}.get(name, ()):
                if position < len(node.args) and isinstance(node.args[position], ast.JoinedStr | ast.BinOp):
                    built.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}(...)")
    assert not built, f"write a template with named parameters instead: {built}"


def test_errors_are_read_in_the_language_of_whoever_reads_them() -> None:
    refused = Invalid("amount", "{currency} has no minor units, got {amount}", currency="JPY", amount="1.5")
    assert str(refused) == "amount: JPY has no minor units, got 1.5"
    with use_locale("ru"):
        assert str(refused) == "amount: у JPY нет дробных единиц, получено 1.5"
    with use_locale("az"):
        assert str(refused) == "amount: JPY valyutasının xırda vahidi yoxdur, verilib: 1.5"
    with use_locale("tr"):
        assert str(refused) == "amount: JPY para biriminin alt birimi yok, verilen: 1.5"


def test_the_supported_languages_are_the_ones_users_may_choose() -> None:
    assert tuple(LANGUAGES) == columns.LOCALES


@pytest.mark.parametrize(
    ("words", "allowed"),
    [
        (vocabulary.Status, (*columns.STATUSES, "void")),
        (vocabulary.LineKind, columns.LINE_KINDS),
        (vocabulary.Valuation, columns.VALUATIONS),
        (vocabulary.DonorKind, columns.DONOR_KINDS),
        (vocabulary.RecipientKind, columns.RECIPIENT_KINDS),
        (vocabulary.Role, columns.ROLES),
        (vocabulary.Cluster, columns.CLUSTERS),
        (vocabulary.Unit, columns.UNITS),
    ],
)
def test_every_word_of_the_ledger_has_a_name(words: type, allowed: tuple[str, ...]) -> None:
    assert set(words) == set(allowed) == set(vocabulary.LABELS[words])
