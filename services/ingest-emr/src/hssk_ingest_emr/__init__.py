"""ingest-emr: decodes and validates hospital visits, de-duplicates them, dead-letters bad input."""
