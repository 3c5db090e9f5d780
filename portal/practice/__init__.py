"""The practice's settings: services, working hours, time off, booking rules, and the team (team.py)."""
