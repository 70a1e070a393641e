"""Administration: users and their roles, contractors."""
