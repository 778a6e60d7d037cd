"""The database: engines and sessions, the tables, the hash-chained journal, text search on both databases."""
