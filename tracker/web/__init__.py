"""The web layer: HTML pages and (later) the JSON API, two thin front doors to the services."""
