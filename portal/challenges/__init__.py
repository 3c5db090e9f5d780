"""Elimination and reintroduction challenges, and the protocol's effect."""
