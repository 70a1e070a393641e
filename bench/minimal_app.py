"""The smallest Flask app, served with the portal's gunicorn settings by bench_load.py: its
throughput is the ceiling the portal's pages are compared with."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return "<!DOCTYPE html><html lang='en'><title>Minimal</title><h1>Minimal page</h1></html>"


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
