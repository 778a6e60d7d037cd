"""Reports: computed as plain data first, then rendered to HTML, PDF, CSV and XLSX."""
