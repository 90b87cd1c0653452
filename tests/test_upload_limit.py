"""One upload limit, three layers: core.params.checkpoints states it once in MB, Streamlit's server
config says the same, the browser counts a megabyte as a million bytes, and a file of exactly the
limit passes the server's upload route and the core while one byte more is refused."""

import asyncio
import tomllib
from pathlib import Path

import pytest

from core.params.checkpoints import MAX_UPLOAD_BYTES, UPLOAD_LIMIT_MB, CheckpointError, read_checkpoint

ROOT = Path(__file__).resolve().parents[1]


def server_settings() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]


def at_limit_safetensors(size: int) -> bytes:
    """A valid .safetensors file of exactly size bytes: one uint8 tensor fills what the header leaves."""
    for guess in range(64, 256):  # the header's length depends on the digits of the tensor's size
        header = f'{{"x":{{"dtype":"U8","shape":[{size - 8 - guess}],"data_offsets":[0,{size - 8 - guess}]}}}}'
        if len(header) <= guess:
            raw = header.ljust(guess).encode()
            return len(raw).to_bytes(8, "little") + raw + bytes(size - 8 - guess)
    raise AssertionError("no header length fits")


def test_the_limit_is_stated_once_in_mb_and_the_server_config_says_the_same():
    assert server_settings()["maxUploadSize"] == UPLOAD_LIMIT_MB
    assert MAX_UPLOAD_BYTES == UPLOAD_LIMIT_MB * 10**6


def test_streamlits_browser_counts_a_megabyte_as_a_million_bytes():
    """The browser refuses files over maxUploadSize MB with its own size converter, whose base is 1024 on
    Windows and 1000 elsewhere (`navigator.platform` /^Win/): pinned here, so that a Streamlit upgrade that
    changes it fails this test rather than the limits silently drifting apart."""
    import streamlit

    bundle = Path(streamlit.__file__).parent / "static" / "static" / "js"
    assert any("?1024:1e3" in path.read_text(errors="ignore") for path in bundle.glob("utils.*.js"))


def test_core_reads_a_file_of_exactly_the_limit_and_refuses_one_byte_more():
    data = at_limit_safetensors(MAX_UPLOAD_BYTES)
    assert len(data) == MAX_UPLOAD_BYTES
    assert list(read_checkpoint(data, "limit.safetensors")) == ["x"]
    with pytest.raises(CheckpointError, match=rf"is {MAX_UPLOAD_BYTES + 1:,} bytes; the limit is "
                                              rf"{MAX_UPLOAD_BYTES:,} bytes \({UPLOAD_LIMIT_MB} MB\)"):
        read_checkpoint(data + b" ", "over.safetensors")


class _Runtime:
    def is_active_session(self, session_id):
        return True


class _Uploads:
    def __init__(self):
        self.files = []

    def add_file(self, session_id, file):
        self.files.append(file)


def put_upload(app, content: bytes, filename: str) -> int:
    """PUT one file to Streamlit's upload route as the browser does (multipart/form-data); the status."""
    boundary = b"----WebKitFormBoundary7MA4YWxkTrZu0gW"
    body = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="UploadedFile"; filename="'
            + filename.encode() + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content
            + b"\r\n--" + boundary + b"--\r\n")
    path = "/_stcore/upload_file/session/file"
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PUT", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8501),
             "headers": [(b"host", b"localhost"), (b"content-type", b"multipart/form-data; boundary=" + boundary),
                         (b"content-length", str(len(body)).encode())]}
    chunks = [body[i:i + 2**16] for i in range(0, len(body), 2**16)]
    status = {}

    async def receive():
        return {"type": "http.request", "body": chunks.pop(0) if chunks else b"", "more_body": len(chunks) > 0}

    async def send(message):
        if message["type"] == "http.response.start":
            status["code"] = message["status"]

    asyncio.run(app(scope, receive, send))
    return status["code"]


def test_the_server_accepts_a_file_of_exactly_the_limit(monkeypatch):
    """The server answers 413 once the request body, multipart framing included, passes maxUploadSize MiB: a
    file of exactly 20 MiB never reached the core. A file of MAX_UPLOAD_BYTES, with a long name, gets through
    whole (Streamlit's own upload route, driven in-process as uvicorn would)."""
    from starlette.applications import Starlette
    from streamlit import config
    from streamlit.web.server.starlette.starlette_routes import create_upload_routes

    originals = {key: config.get_option(key) for key in ("server.maxUploadSize", "server.enableXsrfProtection")}
    config.set_option("server.maxUploadSize", server_settings()["maxUploadSize"])
    config.set_option("server.enableXsrfProtection", False)  # the XSRF check is not what is under test
    try:
        uploads = _Uploads()
        app = Starlette(routes=create_upload_routes(_Runtime(), uploads, None))
        data = at_limit_safetensors(MAX_UPLOAD_BYTES)
        assert put_upload(app, data, "m" * 240 + ".safetensors") == 204
        assert uploads.files[-1].data == data
        assert put_upload(app, bytes(20 * 2**20), "m.safetensors") == 413  # what the issue saw: 20 MiB is refused
    finally:
        for key, value in originals.items():
            config.set_option(key, value)
