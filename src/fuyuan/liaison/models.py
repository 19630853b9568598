"""Daily liaison: letters between departments and courts, replies, escalation."""
