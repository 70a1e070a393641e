"""Outcome figures: the definitions officers report (figures.py), how they are shown
(presentation.py), the dashboard, exports and the board report."""
