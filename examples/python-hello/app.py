"""A small web app for the devflow/python buildpack: standard library only."""
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"Hello from python-hello on Python {sys.version_info.major}.{sys.version_info.minor}, venv {os.environ.get('VIRTUAL_ENV', 'none')}\n"
        self.send_response(200)
        self.send_header("content-type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "5000"))), Hello).serve_forever()
