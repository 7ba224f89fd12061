"""Writes for accounts and organizations: keyword-only, atomic, Spanish errors, audited."""
