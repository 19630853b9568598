"""Material collection: calls for submissions, approval inside units, compilation."""
