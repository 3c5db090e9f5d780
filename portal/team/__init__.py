"""Settings → Team pages: members, invitations, care teams, and booking for a client."""
