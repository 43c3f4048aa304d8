"""Vega-Lite specs to SVG or PNG images, rendered in a child process.

vl-convert (Rust, with an embedded JavaScript engine) keeps Python's GIL for the whole of each
render: beside it, another Python thread made 1% of its usual progress (measured on this
project's charts). Inside `dbt build` the chart_renders model runs in dbt's own process, so for the
3-5 s of rendering every other dbt thread (SQL models, tests) could not start a query or compile a
node. A child process renders instead, one spec at a time, while the parent builds the next
chart's spec. The child imports only this module (not the chart code, not Altair), so it starts in
a fraction of a second; this is why the module lives outside ``customer_segmentation.charts``.

Protocol: the child's first line says it is ready; then one JSON object per line on its stdin
(``spec``, ``max_svg_bytes``, ``label``), one per line back on its stdout (the image, or
``error``). Anything else the child writes to stdout goes to its stderr.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from html import escape

LOG = logging.getLogger(__name__)
READY = b'{"ready": true}\n'  # the child's first line
REPLY_TIMEOUT_SECONDS = 600.0  # one chart renders in seconds; this long means it never will
PNG_SCALES = (2.0, 1.5, 1.0)  # by preference; the last is rendered first and is the last resort


@dataclass(frozen=True)
class Image:
    """A rendered chart: the SVG text to write, and the PNG it embeds when it is one."""

    svg: str  # a plain SVG, or (when png is set) an SVG wrapper that embeds the PNG
    png: bytes | None
    scale: float | None  # the PNG's scale, when png is set
    plain_svg_bytes: int  # size of the plain SVG, for the progress line


def _png_size(png: bytes) -> tuple[int, int]:
    """Return (width, height) in pixels from a PNG's IHDR chunk."""
    return struct.unpack(">II", png[16:24])


def png_in_svg(png: bytes, scale: float, label: str) -> str:
    """Return an SVG document that shows ``png`` at 1/``scale`` of its pixel size."""
    width, height = (round(side / scale) for side in _png_size(png))
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'version="1.1" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{escape(label)}</title>"
        f'<image width="{width}" height="{height}" href="data:image/png;base64,{data}"/></svg>\n'
    )


def render_image(spec: dict, max_svg_bytes: int, label: str) -> Image:
    """Render ``spec`` as SVG; when that is over ``max_svg_bytes`` (a big scatter), as a PNG in an
    SVG wrapper instead, if that is smaller. A placeholder (``usermeta.placeholder``) stays SVG.
    """
    import vl_convert as vlc  # here, not at the top: only the child process renders

    svg = vlc.vegalite_to_svg(spec, allowed_base_urls=[])
    svg_bytes = len(svg.encode("utf-8"))
    if (spec.get("usermeta") or {}).get("placeholder") is not None or svg_bytes <= max_svg_bytes:
        return Image(svg, None, None, svg_bytes)
    # The smallest scale first: its size bounds the sharper ones from below (a PNG grows at least
    # as fast as the scale: x1.8 at 1.5x and x2.55 at 2x on the pair plot), so a sharper render is
    # tried only when it could fit. The sharpest that fits is kept; the smallest if none does.
    smallest = PNG_SCALES[-1]
    png = vlc.vegalite_to_png(spec, scale=smallest, allowed_base_urls=[])
    wrapper, scale = png_in_svg(png, smallest, label), smallest
    for sharper in PNG_SCALES[:-1]:
        if len(wrapper) * sharper / smallest > max_svg_bytes:
            continue
        sharp_png = vlc.vegalite_to_png(spec, scale=sharper, allowed_base_urls=[])
        sharp_wrapper = png_in_svg(sharp_png, sharper, label)
        if len(sharp_wrapper) <= max_svg_bytes:
            png, wrapper, scale = sharp_png, sharp_wrapper, sharper
            break
    if len(wrapper) < svg_bytes:
        return Image(wrapper, png, scale, svg_bytes)
    return Image(svg, None, None, svg_bytes)


class ImageRenderer:
    """The child process that renders; ``submit`` returns a Future, renders run one at a time.

    Use it as a context manager: leaving the block waits for the child to exit. When the child
    cannot start (an interpreter that cannot run ``-m``, such as a frozen dbt binary), dies, stops
    answering (``reply_timeout``) or answers with something else, the images are rendered in this
    process from then on, with one warning: the same images, only slower beside other threads
    (the render the child was on fails, naming the command and exit code). ``warn`` says so
    (default: this module's logger; chart_renders passes the dbt console). ``command`` replaces
    the child's command line (tests).
    """

    def __init__(
        self,
        command: Sequence[str] | None = None,
        warn: Callable[[str], None] | None = None,
        reply_timeout: float = REPLY_TIMEOUT_SECONDS,
    ) -> None:
        self._command = list(command or [sys.executable, "-m", __name__])
        self._reply_timeout = reply_timeout
        self._warn = warn or (lambda line: LOG.warning(line.removeprefix("WARNING: ")))
        # The child's traceback, if it ever dies; closed in close().
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self._process: subprocess.Popen | None = None
        # starting (until the child's first line, read on first use), child, or here
        self._mode = "starting"
        try:
            self._process = subprocess.Popen(
                self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr
            )
        except OSError as error:
            self._render_here(f"cannot start {self._command[0]}: {error}")
        # One request in flight at a time, so neither side can block on a full pipe.
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chart-images")

    def submit(self, spec: dict, max_svg_bytes: int, label: str) -> Future[Image]:
        return self._sender.submit(self._render, spec, max_svg_bytes, label)

    def _render(self, spec: dict, max_svg_bytes: int, label: str) -> Image:
        if not self._child_is_ready():
            return render_image(spec, max_svg_bytes, label)
        request = {"spec": spec, "max_svg_bytes": max_svg_bytes, "label": label}
        reply_line, stopped = b"", False
        try:
            self._process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            self._process.stdin.flush()
            reply_line, stopped = self._next_line()
        except BrokenPipeError:
            pass
        if not reply_line:
            # This chart fails (it may be what stopped the child); the rest, and this chart's
            # "failed" note, are drawn in this process, so rendering still never fails the build.
            reason = self._death_message(stopped)
            self._render_here(reason)
            raise RuntimeError(reason)
        try:
            reply = json.loads(reply_line)
            if "error" in reply:
                raise RuntimeError(reply["error"])
            png = base64.b64decode(reply["png"]) if reply["png"] is not None else None
            return Image(reply["svg"], png, reply["scale"], reply["plain_svg_bytes"])
        except (ValueError, KeyError, TypeError):
            # Not a reply: the replies can no longer be matched to requests. Stop the child and
            # draw this chart and the rest here.
            self._process.kill()
            self._render_here(
                f"the renderer wrote something other than a reply: {reply_line[:80]!r}"
            )
            return render_image(spec, max_svg_bytes, label)

    def _child_is_ready(self) -> bool:
        if self._mode == "starting":
            line, stopped = self._next_line()
            if line == READY:
                self._mode = "child"
            else:
                self._process.kill()
                reason = self._death_message(stopped)
                if line:
                    reason += f"; its first line was {line[:80]!r}, not the ready line"
                self._render_here(reason)
        return self._mode == "child"

    def _next_line(self) -> tuple[bytes, bool]:
        """Return the child's next line (empty when it has exited) and whether it had to be
        stopped first: a render takes seconds, so one that never ends must not hang the build."""
        stopped = threading.Event()

        def stop() -> None:
            stopped.set()
            self._process.kill()

        watchdog = threading.Timer(self._reply_timeout, stop)
        watchdog.start()
        try:
            line = self._process.stdout.readline()
        finally:
            watchdog.cancel()
        return line, stopped.is_set()

    def _render_here(self, reason: str) -> None:
        self._warn(
            "WARNING: chart images are rendered in the dbt process instead, which holds up dbt's "
            f"other threads while they render: {reason}"
        )
        self._mode = "here"

    def _death_message(self, stopped: bool = False) -> str:
        try:
            code = self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # closed its stdout but did not exit
            self._process.kill()
            code = self._process.wait()
        self._stderr.seek(0)
        last_lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()[-5:]
        message = f"the chart image renderer ({' '.join(self._command)}) exited with code {code}"
        if stopped:
            message += f" (stopped: no reply within {self._reply_timeout:g} s)"
        return message + (": " + " | ".join(last_lines) if last_lines else "")

    def close(self) -> None:
        self._sender.shutdown(wait=True)
        if self._process is not None:
            if self._process.stdin and not self._process.stdin.closed:
                with contextlib.suppress(BrokenPipeError):
                    self._process.stdin.close()  # end of input: the child exits
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._stderr.close()

    def __enter__(self) -> ImageRenderer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def serve(requests, replies) -> None:
    """The child's loop: say it is ready, then render each request line of ``requests`` and write
    a reply line for each."""
    replies.write(READY)
    replies.flush()
    for line in requests:
        request = json.loads(line)
        try:
            image = render_image(request["spec"], request["max_svg_bytes"], request["label"])
            reply = {
                "svg": image.svg,
                "png": base64.b64encode(image.png).decode("ascii") if image.png else None,
                "scale": image.scale,
                "plain_svg_bytes": image.plain_svg_bytes,
            }
        except Exception as error:  # the parent turns it into a placeholder that says so
            reply = {"error": f"{type(error).__name__}: {error}"}
        replies.write(json.dumps(reply).encode("utf-8") + b"\n")
        replies.flush()


if __name__ == "__main__":
    # The replies get their own copy of stdout; anything else written there (a library's print,
    # native code) goes to stderr instead, so it can never be read as a reply.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    import vl_convert  # noqa: F401  (before the ready line: a broken install shows at once)

    serve(sys.stdin.buffer, replies)
