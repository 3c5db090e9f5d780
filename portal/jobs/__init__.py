"""Scheduled work (runner.py): reminders, questionnaire invitations, expired holds, card payments to reconcile
and old login sessions, run every minute by `flask jobs worker` (or `flask jobs run` from cron)."""
