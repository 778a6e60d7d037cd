"""Maintained totals: the ledger summed per dimension, kept in step with every write and rebuilt on demand."""
