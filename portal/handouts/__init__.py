"""Protocols and PDF handouts: her protocol library, the protocol for each session, and published handouts."""
