"""Exit 0 when the portal answers its health check, 1 otherwise (the image's HEALTHCHECK).

    python deploy/healthcheck.py [URL]      (default http://127.0.0.1:8000/healthz)

Plain standard library, so the slim image needs no curl.
"""

import sys
import urllib.request

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/healthz"
try:
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (our own address)
        sys.exit(0 if answer.status == 200 else 1)
except OSError:
    sys.exit(1)
