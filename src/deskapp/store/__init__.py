"""The store: engine and sessions, tables, migrations. No Textual here."""
