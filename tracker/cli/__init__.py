"""The command line, one module per command group, each a thin door onto the services."""
