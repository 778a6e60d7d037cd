"""Exchange rates: the rate in force and conversion (read models), rate files, and recording rates (service)."""
