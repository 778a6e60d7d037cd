"""The organisation's saved settings: what every layer reads (current) and how an admin changes them (service)."""
