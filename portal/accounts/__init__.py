"""Accounts: sign-up with a confirmed address, log in and out, server-side sessions, passwords and resets."""
