"""HSSK contracts: the topic registry, event models, JSON Schemas and the codec every service uses."""
