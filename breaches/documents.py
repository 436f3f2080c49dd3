"""The CNIL notification content of a breach (helper B)."""
