"""Match-quality evaluation: a seeded synthetic population and labelled records with realistic
errors, resolved through `handlers.resolve` with the in-memory fakes.

Run: `python -m hssk_identity.evaluation [--people N --seed S]`.
"""
