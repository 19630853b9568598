"""Sample files of the bankruptcy importer (make_samples)."""
