"""The trigger finder: which foods, habits, sleep and stress are followed by migraines or a bad gut day more
often than the days without them, with honest uncertainty, and where her cycle falls."""
