"""One screen per scenario."""
