"""The web server the throughput benchmark starts: production settings plus a trivial view."""
