"""Plumbing over syntax trees (walks, positions, scopes, slicing): no knowledge of the API."""
