"""The staff pages: one router module per area."""
