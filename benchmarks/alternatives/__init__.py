"""Alternatives policycheck is benchmarked against (issue #7)."""
