"""What the ledger shows: the dashboard, lists, reports and their renderers, and the standard exports."""
