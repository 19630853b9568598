"""Menu entries of the org app."""
