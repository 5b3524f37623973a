"""Business logic of the product, as plain functions (`<noun>_<verb>`, keyword arguments)."""
