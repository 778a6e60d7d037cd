"""tracker: a ledger of humanitarian aid contributions, exact with money and honest about in-kind aid."""

__version__ = "0.1.0"
