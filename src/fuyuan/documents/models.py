"""Outgoing official documents: numbers, the sign-off chain, GB/T 9704 files."""
