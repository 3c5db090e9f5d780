"""Booking: services, free times, the booking workflows (lifecycle.py), e-mails and calendar invitations."""
