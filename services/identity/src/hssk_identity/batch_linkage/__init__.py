"""City-scale batch linkage (issue 14, part 4): the first load of a city's list (the BHYT list,
millions of rows) deduplicated as one job on an existing engine, Splink on DuckDB, with the
comparison levels and learned weights of the online matcher; `python -m
hssk_identity.batch_linkage LIST.csv`. docs/identity-matching.md, Batch linkage."""
