"""Importing rounds that ran before the portal, so the outcome figures count them like any
other round (``docs/earlier-rounds-import-format.md``).

- ``files``: the sheets of a folder of CSV files or an XLSX workbook, read with
  ``portal.spreadsheets``; problems are reported by file and line.
- ``format``: each sheet's columns and the typed rows they are read into.
- ``rows``: reading and checking every sheet, row by row and against the other sheets
  (``people_rows``: participants and attendance; ``survey_rows``: surveys and case studies).
- ``writer``: writing the checked rows, created, updated or unchanged (``writer_base``: what
  every step shares; ``write_rounds``, ``write_people``, ``write_surveys``: the steps).
- ``imports``: the dry run and the import, all or nothing, as one audit event.
- ``views`` and ``forms``: the officers' page (/outcomes/import). ``samples/``: files that
  agree with the February 2022 board report (the demo and the tests import them).
"""
