"""Privacy rights: erasure handled by administrators."""
