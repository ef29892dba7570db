"""Venue adapters: each folder turns one venue's wire protocol into core events."""
