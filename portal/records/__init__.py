"""Health records: the client's profile, the audit page, key rotation, data export and erasure."""
