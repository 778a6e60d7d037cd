"""The journal's words: a sentence and a name per action, the object kinds and field names it uses.

Teaching the journal a new action is one entry in ACTIONS: a name for the action filter and a
sentence whose named fields `tracker.reporting.journal` fills from the event (see there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from tracker.core.i18n import N_, pgettext


class Said(NamedTuple):
    """How the journal names an action (in its filter) and tells one event of it (a template with named fields)."""

    name: str
    sentence: str


# TRANSLATORS: journal sentences. The {fields} are already written in the reader's language: {number} is a
# contribution number (C-2023-000008), {lines} its amounts and quantities, {donor}/{recipient} names,
# {old_status}/{status} status names, {changes} a list "field: before → after". No subject: the Who column says who.
ACTIONS: dict[str, Said] = {
    "contribution.recorded": Said(
        N_("contribution recorded"),
        N_("Recorded {number}: {lines} from {donor} to {recipient}, {status}, dated {value_date}"),
    ),
    "contribution.status_changed": Said(
        N_("contribution status changed"), N_("Moved {number} from {old_status} to {status}")
    ),
    "contribution.voided": Said(N_("contribution voided"), N_("Voided {number}, because: {reason}")),
    "contribution.closed": Said(
        N_("promise closed"), N_("Closed {number}, what it still promised written off, because: {reason}")
    ),
    "contribution.terms_recorded": Said(
        N_("promise terms recorded"),
        N_("Recorded the terms of {number}: its due date, or what its lines count for against the promise they fulfil"),
    ),
    "donor.created": Said(N_("donor added"), N_("Added the donor {name}")),
    "donor.updated": Said(N_("donor changed"), N_("Changed the donor {object}: {changes}")),
    "donor.archived": Said(N_("donor archived"), N_("Archived the donor {object}")),
    "recipient.created": Said(N_("recipient added"), N_("Added the recipient {name}")),
    "recipient.updated": Said(N_("recipient changed"), N_("Changed the recipient {object}: {changes}")),
    "recipient.archived": Said(N_("recipient archived"), N_("Archived the recipient {object}")),
    "appeal.created": Said(N_("appeal added"), N_("Added the appeal {code} ({name})")),
    "appeal.updated": Said(N_("appeal changed"), N_("Changed the appeal {object}: {changes}")),
    "appeal.archived": Said(N_("appeal archived"), N_("Archived the appeal {object}")),
    "item.created": Said(N_("item added"), N_("Added the item {name}, counted in {unit}")),
    "item.updated": Said(N_("item changed"), N_("Changed the item {object}: {changes}")),
    "item.archived": Said(N_("item archived"), N_("Archived the item {object}")),
    "user.created": Said(N_("user added"), N_("Added the user {email} as {role}")),
    "user.role_changed": Said(N_("user role changed"), N_("Changed the role of {object} from {old_role} to {role}")),
    "user.deactivated": Said(N_("user deactivated"), N_("Deactivated the user {object}")),
    "user.password_changed": Said(
        N_("password changed"), N_("Changed the password of {object}; every session they had open ended")
    ),
    "api_token.created": Said(N_("API token created"), N_("Created the API token “{name}” for {owner}")),
    "api_token.revoked": Said(N_("API token revoked"), N_("Revoked API token {object}")),
    "rate.recorded": Said(
        N_("exchange rate recorded"), N_("Recorded the rate of {currency} on {rate_date}: {rate} {quote_currency}")
    ),
    "rate.corrected": Said(
        N_("exchange rate corrected"),
        N_("Corrected the rate of {currency} on {rate_date} from {old_rate} to {rate} {quote_currency}"),
    ),
    "rates.imported": Said(
        N_("exchange rates imported"),
        N_("Imported exchange rates ({source}) from {from} to {to}: added {added}, corrected {corrected}"),
    ),
    "settings.updated": Said(N_("settings changed"), N_("Changed the settings: {changes}")),
    "import.committed": Said(
        N_("file imported"), N_("Imported a file of {rows} rows: recorded {created}, skipped {skipped}")
    ),
    "acknowledgement.created": Said(
        N_("thank-you letter written"), N_("Wrote the thank-you letter {number} to {donor}")
    ),
}
# TRANSLATORS: a journal event of an action the journal has no sentence for; {action} is its code (item.merged).
GENERIC = N_("{action} on {object_kind} {object}")
# Facts worth a second sentence when an event has them and its own sentence does not say them.
NOTES: tuple[tuple[str, str], ...] = (
    # TRANSLATORS: after a journal sentence; {fulfils} is the number of the pledge or commitment fulfilled.
    ("fulfils", N_("It fulfils {fulfils}.")),
    ("appeal", N_("Appeal: {appeal}.")),
    ("reference", N_("Reference: {reference}.")),
)

# What an event is about, in words; the keys are the journal's object types (the object filter's choices).
OBJECT_KINDS: dict[str, Callable[[], str]] = {
    "contribution": lambda: pgettext("journal object", "contribution"),
    "donor": lambda: pgettext("journal object", "donor"),
    "recipient": lambda: pgettext("journal object", "recipient"),
    "appeal": lambda: pgettext("journal object", "appeal"),
    "item": lambda: pgettext("journal object", "item"),
    "user": lambda: pgettext("journal object", "user"),
    "api_token": lambda: pgettext("journal object", "API token"),
    "exchange_rate": lambda: pgettext("journal object", "exchange rate"),
    "import": lambda: pgettext("journal object", "import"),
    "acknowledgement": lambda: pgettext("journal object", "thank-you letter"),
    "settings": lambda: pgettext("journal object", "settings"),
}
# Fields a `changes` list names in words (others keep their stored name).
FIELD_NAMES: dict[str, str] = {
    "name": N_("Name"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "country": N_("Country"),
    "notes": N_("Notes"),
    "kind": N_("Kind"),
    "code": N_("Code"),
    "unit": N_("Unit"),
    "cluster": N_("Cluster"),
    "role": N_("Role"),
    "locale": N_("Language"),
    "target": N_("Target"),
    "organisation_name": N_("Organisation name"),
    "organisation_address": N_("Address"),
    "reporting_currency": N_("Reporting currency"),
    "default_locale": N_("Default language"),
    "rate_window_days": N_("Exchange-rate window (days)"),
}
# The vocabulary a coded value is named from, by field (a `kind` depends on what the event is about).
VOCABULARY_OF = {"status": "status", "role": "role", "cluster": "cluster", "unit": "unit", "valuation": "valuation"}
KIND_VOCABULARY = {"donor": "donor_kind", "recipient": "recipient_kind"}
