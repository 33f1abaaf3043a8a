"""The standards as data: the catalogue of phrases and tips, its checker, the flow engine.

No Textual and no SQL here: screens and the CLI build on it.
"""
