"""Accounts: sign-in with two-factor for staff, registration, verification and resets."""
