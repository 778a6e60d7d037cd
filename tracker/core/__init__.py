"""The bottom layer: money, errors, languages, parsing, formatting, vocabulary, field checks, environment settings."""
