"""Reading spreadsheets people upload, for every import (applicants, earlier rounds).

- ``files``: a CSV file or an XLSX workbook, which may be broken or hostile, read into
  tables of cells, or refused with the reason (``UnreadableFile``).
- ``cells``: one row's cells read as the values they stand for (``Row``), each problem
  reported to the import that asked.
"""
