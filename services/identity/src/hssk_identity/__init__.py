"""identity: the master citizen index. Resolves identifiers and demographics to one person."""
