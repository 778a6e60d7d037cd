"""Importing contributions from CSV and XLSX files: read, checked like a form entry, written in bulk, all or nothing."""
