"""Money: an exact amount in one ISO 4217 currency, and the rules for reading it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import format_decimal, get_currency_precision

from tracker.core.errors import Invalid, Plural
from tracker.core.i18n import current_locale

# Currencies in use today (ISO 4217 list A, less funds, metals and test codes).
# Babel's own list also holds withdrawn codes such as AZM, TRL and RUR, which a
# clerk must not be offered; a withdrawn code can still be read from history.
CURRENCIES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB
    BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP
    DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF
    IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK
    LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN
    NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND
    TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF
    XPF YER ZAR ZMW ZWG
    """.split()
)

# The currencies a form offers first: those of the story this tracker was built for.
COMMON_CURRENCIES: tuple[str, ...] = ("AZN", "TRY", "USD", "EUR", "RUB", "GBP", "JPY", "KWD")
# Every other currency, A to Z; every currency picker offers the common ones, then these.
OTHER_CURRENCIES: tuple[str, ...] = tuple(sorted(CURRENCIES - set(COMMON_CURRENCIES)))
CURRENCY_CHOICES: tuple[str, ...] = COMMON_CURRENCIES + OTHER_CURRENCIES

# No single contribution line reaches a quadrillion units of any currency; past
# this a figure is a typo, and it would also overflow 64-bit minor-unit sums.
MAX_AMOUNT = Decimal("1e15")
# Quantities are exact decimals with up to three places (a gram of a kilogram),
# kept as integer thousandths so SQL sums them exactly on both databases.
QUANTITY_PLACES = 3


@cache
def minor_digits(currency: str) -> int:
    """How many digits after the point the currency has (CLDR, through Babel)."""
    return get_currency_precision(currency)


@cache
def minor_unit(digits: int) -> Decimal:
    """The smallest amount with this many digits after the point: 0.01 for 2."""
    return Decimal(1).scaleb(-digits)


def check_currency(code: object, field: str = "currency") -> str:
    """The currency code, upper-cased, or `Invalid` naming the field."""
    if isinstance(code, str) and code in CURRENCIES:
        return code  # already a current code as written
    if not isinstance(code, str) or not code.strip():
        raise Invalid(field, "a currency code is required")
    normal = code.strip().upper()
    if normal not in CURRENCIES:
        raise Invalid(field, "{code!r} is not a current ISO 4217 currency code", code=code.strip())
    return normal


def to_decimal(value: object, field: str) -> Decimal:
    """A Decimal from a string, int or Decimal; floats are refused, since they are not exact."""
    if isinstance(value, float):
        raise TypeError(f"{field}: money must not pass through float, got {value!r}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise Invalid(field, "a number is required")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Invalid(field, "{value!r} is not a number", value=value) from None
    else:
        raise Invalid(field, "expected a decimal string, got {type}", type=type(value).__name__)
    if not number.is_finite():
        raise Invalid(field, "{value} is not a finite number", value=value)
    return number


def round_half_up(amount: Decimal, currency: str) -> Decimal:
    """Round once to the currency's minor unit, halves away from zero (invariant 3)."""
    return amount.quantize(minor_unit(minor_digits(currency)), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one currency; adding two currencies is an error, not a total."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money amount must be a Decimal, got {type(self.amount).__name__}")

    @classmethod
    def of(cls, amount: object, currency: object, field: str = "amount") -> Money:
        """Validated money as entered: positive, finite, within the currency's digits."""
        code = check_currency(currency, f"{field}.currency" if field != "amount" else "currency")
        number = to_decimal(amount, field)
        if number <= 0:
            raise Invalid(field, "must be more than zero, got {number}", number=number)
        if number >= MAX_AMOUNT:
            raise Invalid(
                field,
                "{number} is too large (the limit is {limit})",
                number=number,
                limit=format_decimal(MAX_AMOUNT, locale=current_locale()),
            )
        digits = minor_digits(code)
        exact = number.quantize(minor_unit(digits))  # pads 1.5 to 1.50, rounds 1.505 (then refused)
        if exact != number:
            if digits == 0:
                raise Invalid(field, "{currency} has no minor units, got {amount}", currency=code, amount=amount)
            raise Invalid(
                field,
                Plural(
                    "{currency} has {digits} decimal place, got {amount}",
                    "{currency} has {digits} decimal places, got {amount}",
                    digits,
                ),
                currency=code,
                digits=digits,
                amount=amount,
            )
        return cls(exact, code)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Money from the integer minor units stored in the database."""
        return cls(Decimal(int(minor)).scaleb(-minor_digits(currency)), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.from_minor(0, currency)

    @property
    def minor(self) -> int:
        """The amount in integer minor units (cents, qəpik, fils); exact or an error, never rounded.

        Money that reaches the database has passed `Money.of`; an amount with more digits here
        is a door that skipped the check, and must fail loudly rather than store a rounded figure.
        """
        units = self.amount.scaleb(minor_digits(self.currency))
        whole = units.to_integral_value()
        if whole != units:
            raise ValueError(f"{self.amount} {self.currency} is not a whole number of minor units")
        return int(whole)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise ValueError(f"cannot subtract {other.currency} from {self.currency}")
        return Money(self.amount - other.amount, self.currency)

    def __str__(self) -> str:
        digits = minor_digits(self.currency)
        return f"{self.amount.quantize(Decimal(1).scaleb(-digits))} {self.currency}"


def parse_money(text: str, field: str = "amount") -> Money:
    """Money from its plain text form "500000.00 AZN", as tests, fixtures and the CLI write it."""
    parts = text.split()
    if len(parts) != 2:
        raise Invalid(field, "expected '<amount> <currency>', got {text!r}", text=text)
    return Money.of(parts[0], parts[1], field)


def stored_quantity(milli: int) -> Decimal:
    """A quantity kept in thousandths as an exact decimal without trailing zeros: 10000 → 10, 2500 → 2.5."""
    exact = Decimal(milli).scaleb(-QUANTITY_PLACES)
    return exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact.normalize()
