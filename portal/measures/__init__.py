"""Service measures for officers, read from the records the service keeps: no cookies, no
tracking. ``figures.py`` defines them (no Flask); ``views.py`` shows them."""
