"""The rules of the standards: pure Python, no Textual, no SQL."""
