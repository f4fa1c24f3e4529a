"""Training the match model from the data itself (issue 14): `python -m hssk_identity.training`."""
