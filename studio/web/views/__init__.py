"""The website's views, one module per area."""
