"""Importers and their profiles: every input row imported, counted as a duplicate, filtered by a named
rule, or rejected with a reason. Above the contract layer (it resolves partners and queues), beside metrics."""
