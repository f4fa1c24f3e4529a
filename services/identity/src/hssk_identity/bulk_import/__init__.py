"""The bulk import of citizen lists (the BHYT administrative list, ward lists of the uninsured;
docs/identity-import.md), through the same `handlers.resolve` as visits:
- `importing.py`: a file imported, resumably (the use case `hssk identity import` calls);
- `files.py`: the input CSV (a row to a resolve query, or why it is refused), the outcome file
  and the checkpoint;
- `batches.py`: rows parsed, resolved together and stored, the next batch resolved while one
  is stored; outcome lines in input order;
- `staged_batch.py`: a batch resolved at once against a stage filled by a few bulk reads, what
  it wrote stored in a few bulk writes (FerretDB charges per command far more than per row);
- `stage.py`: that stage, answering the identity ports from the batch, reading through to the
  real index whatever it does not know yet."""
