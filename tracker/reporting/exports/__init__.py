"""The standard exports: contributions as CSV, XLSX and HXL, and an IATI 2.03 activity per appeal."""
