"""A person's own account: details, password, email address, two-factor and email choices."""
