"""Registration of interest and applicant screening."""
