"""The contribution ledger: figures and searches (read models), the rules an entry passes, recording, verification."""
