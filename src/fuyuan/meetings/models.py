"""Meetings of the joint meeting and their minutes, whose decisions become matters."""
