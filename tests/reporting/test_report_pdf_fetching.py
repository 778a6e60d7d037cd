"""A PDF fetches nothing but the app's own fonts and images, whatever an organisation's name or a page says."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from tracker.reporting.reports.files import FONTS, html_to_pdf, own_file
from tracker.reporting.reports.render import ReportHeading, css_string, summary_html
from tracker.reporting.reports.summary_totals import summary_report


class Listener:
    """A local HTTP server that writes down every path asked of it (and answers with a tiny stylesheet)."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.asked.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { color: red }")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def listener() -> Iterator[Listener]:
    made = Listener()
    thread = threading.Thread(target=made.server.serve_forever, daemon=True)
    thread.start()
    yield made
    made.server.shutdown()
    made.server.server_close()


def evil_name(url: str) -> str:
    """An organisation name that leaves a CSS string with a carriage return and asks for the attacker's URLs."""
    return (
        f'Aid"\r}} @import url({url}/import.css); body {{ background: url({url}/background.png) }} '
        f'@font-face {{ font-family: x; src: url({url}/font.ttf) }} p {{ font-family: x }} .x{{ content: "'
    )


def test_a_malicious_organisation_name_makes_the_pdf_fetch_nothing(listener: Listener, session: Session) -> None:
    heading = ReportHeading(evil_name(listener.url), "1 Example Street")
    html = summary_html(summary_report(session, today=date(2026, 11, 28)), "en", heading, printed=True)
    assert "<style" not in html  # no stylesheet is written from the report's data: the layout is a static file
    pdf = html_to_pdf(html)
    assert listener.asked == []
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert pages[0].extract_text().count("@import url(") == 2  # printed as text: at the top and in the footer


def test_html_that_names_urls_and_files_fetches_none_of_them(listener: Listener) -> None:
    html = (
        f'<html><head><link rel="stylesheet" href="{listener.url}/link.css">'
        f"<style>@import url({listener.url}/style.css);</style></head><body>"
        f'<img src="{listener.url}/image.png"><img src="file:///etc/passwd">'
        f'<object data="{listener.url}/object"></object><p>Cəmi</p></body></html>'
    )
    pdf = html_to_pdf(html)
    assert listener.asked == []
    assert "Cəmi" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()  # still set in the bundled font


def test_only_the_apps_own_files_are_served_to_the_renderer() -> None:
    assert own_file((FONTS / "NotoSans-Regular.ttf").as_uri()) == FONTS / "NotoSans-Regular.ttf"
    assert own_file("file:///etc/passwd") is None
    assert own_file((FONTS / ".." / ".." / "__init__.py").resolve().as_uri()) is None  # python code, not static
    assert own_file((FONTS / "../../../pyproject.toml").as_uri()) is None  # a way out of the folder
    assert own_file("http://127.0.0.1/NotoSans-Regular.ttf") is None
    assert own_file("file://attacker.example/share/x.ttf") is None


def test_a_css_string_cannot_be_left_whatever_it_holds() -> None:
    assert str(css_string('Aid "Co"\r\n}<\\')) == r'"Aid \000022Co\000022\00000d\00000a\00007d\00003c\00005c"'
    assert str(css_string("Стр. ə")) == r'"Стр\00002e ə"'
