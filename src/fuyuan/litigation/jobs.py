"""Daily jobs of the litigation app (registered with the scheduler on import)."""
