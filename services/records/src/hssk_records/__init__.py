"""records: one living health record per citizen, its history, and the changes it announces."""
