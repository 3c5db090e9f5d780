"""Scheduled work, run every minute by `flask jobs run` from cron or a systemd timer."""
