"""Erasure with its plan, proofs, archive of kept records and tombstones; Art. 19 notifications.

Other apps call ``notifications_create_for`` when they execute a rectification or a restriction,
and ``disclosure_record`` whenever a subject's data goes to a recipient.
"""
