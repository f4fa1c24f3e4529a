"""HSSK contracts: topic registry, event models, JSON Schemas and the codec all services use."""
