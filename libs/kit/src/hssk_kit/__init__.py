"""HSSK kit: the one shared runtime package (settings, bus, HTTP plumbing, auth, audit, logging)."""
