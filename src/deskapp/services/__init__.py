"""Use cases: one transaction each, domain + store + audit. No Textual here."""
