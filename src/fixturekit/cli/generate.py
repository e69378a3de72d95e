"""`fixturekit generate`: placeholder module, filled in by the foundation work."""
