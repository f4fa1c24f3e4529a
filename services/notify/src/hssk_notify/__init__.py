"""notify: decides which reminders a citizen should get (incomplete profile, appointments)."""
