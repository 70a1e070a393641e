"""Reference data: editable lists (districts, sectors, issues ...) and UK bank holidays."""
