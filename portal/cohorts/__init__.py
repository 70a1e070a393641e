"""Cohorts: forming peer groups from eligible applicants, offers, sessions and attendance."""
