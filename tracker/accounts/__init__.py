"""Staff accounts, API tokens and signing in."""
