"""Donors, recipients, appeals and items: created, described, archived, never deleted."""
