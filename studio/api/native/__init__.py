"""The studio's own REST API (DRF, documented by drf-spectacular): every resource scoped to its owner."""
