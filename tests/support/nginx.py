"""A real nginx in front of several `poll serve`: Debian's nginx, run by the test in a folder of
its own, as the reverse proxy docs/scaling.md describes for several machines.

- `nginx_binary()`: /usr/sbin/nginx; installed with apt-get (once) when missing outside CI, as
  redis-server is (support.redis); in CI a missing nginx is a failure with a clear message.
- `Nginx`: listens on 127.0.0.1 at a free port and spreads requests and websockets over the
  upstream servers it is given, with the configuration of docs/scaling.md (`CONFIG`); its access
  log names the upstream that served each request, so a test can see both were used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from support.debian import provide
from support.server import free_port

# The site's part of the configuration, as docs/scaling.md shows it ({upstreams}, {port} and
# {logs} filled in here). Kept in one place so the documented configuration is the tested one
# (tests/test_proxy.py checks that docs/scaling.md holds it).
SITE = """\
upstream poll {{
{upstreams}
}}

map $http_upgrade $connection_upgrade {{
    default upgrade;
    ''      close;
}}

server {{
    listen 127.0.0.1:{port};
    client_max_body_size 1m;

    location / {{
        proxy_pass http://poll;
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_read_timeout 1h;
        proxy_buffering off;
    }}
}}
"""

MAIN = """\
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    log_format upstreamed '$request_uri $status $upstream_addr';
    access_log {root}/access.log upstreamed;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
{site}
}}
"""


def nginx_binary() -> str:
    """The path of nginx; installed with apt-get (once) when missing outside CI."""
    return provide("nginx", lambda: shutil.which("nginx") or _sbin(), "nginx")


def _sbin() -> str | None:
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


class Nginx:
    """nginx on 127.0.0.1 at a free port in front of `upstreams` ("127.0.0.1:PORT" each)."""

    def __init__(self, binary: str, upstreams: list[str]) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="poll-nginx-"))
        self.root.chmod(0o755)  # nginx's workers run as nobody when the test runs as root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        site = SITE.format(upstreams="\n".join(f"    server {u};" for u in upstreams),
                           port=self.port)
        self.config = self.root / "nginx.conf"
        self.config.write_text(MAIN.format(root=self.root, site=site), "utf-8")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Nginx:
        with open(self.root / "stderr.log", "wb") as err:  # what it says before its own log opens
            self.proc = subprocess.Popen(
                [self.binary, "-c", str(self.config), "-p", str(self.root)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", trust_env=False, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"nginx did not start:\n{self.errors()}")
            time.sleep(0.1)

    def errors(self) -> str:
        """What nginx said on stderr and in its error log."""
        said = [path.read_text(errors="replace")[-3000:]
                for path in (self.root / "stderr.log", self.root / "error.log") if path.exists()]
        return "\n".join(said)

    def upstreams_used(self) -> set[str]:
        """The upstreams nginx sent requests (and websockets) to so far."""
        log = self.root / "access.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        return {part for line in lines for part in line.split()[-1:]
                if part.startswith("127.0.0.1:")}

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)
