"""Accounts, sign-in and the access rules every route declares."""
