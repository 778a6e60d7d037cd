"""What an IATI activity covers: its sectors (IASC clusters, vocabulary 10) and recipient countries, in percentages.

IATI wants each sector and recipient country of an activity with the share of its total
commitments, the shares of one vocabulary adding up to 100. A share here is the part of the
appeal's funding (paid, and committed still outstanding — FTS's funding, as the summary
counts it) in the reporting currency; pledges, lines without a value or without a rate
weigh nothing but still name their cluster or country. With no weight at all, every
cluster (or country) has an equal share. Cash has no cluster, and an item of no IASC
cluster (OTHER) none either: both count as multi-sector (`MS`, FTS's "Multi-sector").
Shares have two decimals; each takes its rounded cumulative share less the one before,
so they add up to exactly 100.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from tracker.core.vocabulary import Bucket, Cluster, Status
from tracker.reporting.exports.rows import ExportRow

CLUSTERS_VOCABULARY = "10"  # IATI SectorVocabulary: Humanitarian Global Clusters (IASC)
MULTI_SECTOR = "MS"
CENT = Decimal("0.01")


@dataclass
class Shares:
    """Weights per code (a cluster, a country), gathered row by row, in order of first appearance."""

    weights: dict[str, Decimal] = field(default_factory=dict)

    def add(self, code: str, weight: Decimal) -> None:
        self.weights[code] = self.weights.get(code, Decimal(0)) + weight

    def percentages(self) -> dict[str, Decimal]:
        """Each code's share of 100, two decimals, summing to exactly 100 (in sorted code order)."""
        codes = sorted(self.weights)
        total = sum(self.weights.values(), Decimal(0))
        weigh: Callable[[str], Decimal] = (lambda code: self.weights[code]) if total else (lambda code: Decimal(1))
        whole = total or Decimal(len(codes))
        found: dict[str, Decimal] = {}
        before = cumulative = Decimal(0)
        for code in codes:
            cumulative += weigh(code)
            upto = (cumulative * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)
            found[code] = upto - before
            before = upto
        return found


@dataclass
class Coverage:
    """The activity's sectors and recipient countries, with their weights."""

    sectors: Shares = field(default_factory=Shares)
    countries: Shares = field(default_factory=Shares)

    def add(self, row: ExportRow) -> None:
        weight = funding_weight(row)
        self.sectors.add(sector_of(row), weight)
        if row.recipient_country:
            self.countries.add(row.recipient_country.upper(), weight)


def sector_of(row: ExportRow) -> str:
    """The line's IASC cluster code; multi-sector for cash and for items of no cluster."""
    if not row.in_kind or not row.cluster or row.cluster == Cluster.OTHER:
        return MULTI_SECTOR
    return row.cluster


def funding_weight(row: ExportRow) -> Decimal:
    """What the line adds to the appeal's funding in the reporting currency: 0 for a pledge, a written-off
    remainder or an unconverted line."""
    if row.status in (Status.PLEDGED, Bucket.WRITTEN_OFF) or row.converted is None:
        return Decimal(0)
    return row.converted.amount
