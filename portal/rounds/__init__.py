"""Rounds: funded programme years, with the settings every later feature reads."""
