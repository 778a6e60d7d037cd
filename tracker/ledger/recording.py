"""What recording a contribution writes, whether one entry or a bulk import: its line rows, its journal event.

Both paths build a contribution's line values, its `contribution.recorded` facts and
the event's JSON here, so `tracker verify` cannot tell an imported contribution from
one entered by hand. The JSON is written out directly (the same bytes as
`canonical_json(snapshot(...))`, several times faster); tests hold the two equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from json.encoder import encode_basestring as _string  # how canonical_json writes a string (ensure_ascii=False)
from typing import Any, NamedTuple

from tracker.core.money import minor_digits
from tracker.db.models import Contribution, ContributionLine
from tracker.ledger.checks import RecordedLine

# A contribution's recorded facts, as its journal event keeps them.
SNAPSHOT_FIELDS = ("number", "donor_id", "recipient_id", "appeal_id", "value_date", "status", "reference", "notes",
                   "fulfils_id")  # fmt: skip
SNAPSHOT_LINE_FIELDS = ("kind", "item_id", "quantity_milli", "unit_value_minor", "valuation", "currency", "value_minor")


class LineValues(NamedTuple):
    """A checked line as stored: the `contribution_line` columns a line's own facts fill."""

    kind: str
    item_id: int | None
    quantity_milli: int | None
    unit_value_minor: int | None
    valuation: str
    currency: str | None
    minor_digits: int | None
    value_minor: int | None


class Facts(NamedTuple):
    """A contribution's header as recorded (`SNAPSHOT_FIELDS`, in that order)."""

    number: str
    donor_id: int
    recipient_id: int
    appeal_id: int | None
    value_date: date
    status: str
    reference: str
    notes: str
    fulfils_id: int | None


LINE_COLUMNS = LineValues._fields
assert Facts._fields == SNAPSHOT_FIELDS, "Facts and the snapshot's fields go together"


def line_values(line: RecordedLine) -> LineValues:
    """The stored columns of a checked line: its value fixed in minor units with its currency's digits."""
    value = line.value
    currency = value.currency if value else None
    return LineValues(
        line.kind,
        line.item_id,
        line.quantity_milli,
        line.unit_value.minor if line.unit_value else None,
        line.valuation,
        currency,
        minor_digits(currency) if currency else None,
        value.minor if value else None,
    )


def snapshot(contribution: Contribution, lines: Sequence[ContributionLine]) -> dict[str, Any]:
    """The recorded facts of a stored contribution, as the journal keeps them (what `tracker verify` compares)."""
    return {
        **{name: getattr(contribution, name) for name in SNAPSHOT_FIELDS},
        "lines": [{name: getattr(line, name) for name in SNAPSHOT_LINE_FIELDS} for line in lines],
    }


def recorded_json(facts: Facts, lines: Sequence[LineValues]) -> str:
    """The `contribution.recorded` event's facts as canonical JSON: sorted keys, no spaces, no float."""
    return _HEADER % (
        _number(facts.appeal_id),
        facts.donor_id,
        _number(facts.fulfils_id),
        ",".join(
            _LINE
            % (
                _text(line.currency),
                _number(line.item_id),
                _string(line.kind),
                _number(line.quantity_milli),
                _number(line.unit_value_minor),
                _string(line.valuation),
                _number(line.value_minor),
            )
            for line in lines
        ),
        _string(facts.notes),
        _string(facts.number),
        facts.recipient_id,
        _string(facts.reference),
        _string(facts.status),
        facts.value_date.isoformat(),
    )


def _number(value: int | None) -> str:
    return "null" if value is None else str(value)


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


_HEADER = (
    '{"appeal_id":%s,"donor_id":%d,"fulfils_id":%s,"lines":[%s],"notes":%s,"number":%s,'
    '"recipient_id":%d,"reference":%s,"status":%s,"value_date":"%s"}'
)
_LINE = (
    '{"currency":%s,"item_id":%s,"kind":%s,"quantity_milli":%s,"unit_value_minor":%s,"valuation":%s,"value_minor":%s}'
)
