"""Pages every public service needs: start, accessibility, privacy, cookies, feedback, health."""
