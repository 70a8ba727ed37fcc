"""Probing and transcoding video files with PyAV (FFmpeg inside its wheels; no system FFmpeg).

The container type is read from the file itself, never from its name: an upload is an MP4,
a QuickTime MOV or a WebM only if FFmpeg opens it as one and can decode its first picture.
Every accepted video becomes an H.264/AAC MP4 whose shorter side is at most 720 pixels
(progressive download: the index is at the front), a JPEG poster and a duration.

Pure functions on files: no database, no settings object. They block, so callers run them in
a worker thread.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

ACCEPTED_FORMATS = ("mp4", "mov", "webm")
WEBM_VIDEO_CODECS = frozenset({"vp8", "vp9", "av1"})
POSTER_AT_SECONDS = 1.0
AUDIO_RATE = 44_100
AAC_FRAME = 1024


class VideoRejected(ValueError):
    """The file is not a video Hawker accepts; `reason` says why in a sentence."""

    def __init__(self, reason: str, *, unsupported: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unsupported = unsupported


@dataclass(frozen=True)
class Probe:
    format: str  # mp4 | mov | webm
    video_codec: str
    width: int
    height: int
    duration_ms: int | None
    has_audio: bool


@dataclass(frozen=True)
class Transcoded:
    width: int
    height: int
    duration_ms: int
    has_audio: bool


def _av() -> Any:
    # Imported on first use so processes that never touch video start quickly.
    import av

    return av


def _ftyp_brand(path: Path) -> bytes | None:
    with path.open("rb") as fh:
        head = fh.read(12)
    if len(head) == 12 and head[4:8] == b"ftyp":
        return head[8:12]
    return None


def _container_kind(path: Path, format_name: str, video_codec: str) -> str:
    names = set(format_name.split(","))
    if "mp4" in names or "mov" in names:
        brand = _ftyp_brand(path)
        return "mov" if brand in (None, b"qt  ") else "mp4"
    if "webm" in names or "matroska" in names:
        if video_codec in WEBM_VIDEO_CODECS:
            return "webm"
        raise VideoRejected(
            "Matroska files are accepted only as WebM (VP8, VP9 or AV1 video).", unsupported=True
        )
    raise VideoRejected(
        f"The file is a {format_name} file; upload an MP4, MOV or WebM video.", unsupported=True
    )


def probe(path: Path) -> Probe:
    """What the file is, checked by opening it and decoding its first picture."""
    av = _av()
    try:
        container = av.open(str(path))
    except av.FFmpegError as exc:
        raise VideoRejected("The file is not a video Hawker can read.", unsupported=True) from exc
    with container:
        if not container.streams.video:
            raise VideoRejected("The file has no video track.", unsupported=True)
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        kind = _container_kind(path, container.format.name, codec)
        try:
            first = next(iter(container.decode(stream)), None)
        except av.FFmpegError as exc:
            raise VideoRejected("The video track cannot be decoded.") from exc
        if first is None or first.width <= 0 or first.height <= 0:
            raise VideoRejected("The video track has no pictures.")
        duration_ms: int | None = None
        if container.duration is not None and container.duration > 0:
            duration_ms = int(container.duration * 1000 // av.time_base)
        elif stream.duration is not None and stream.time_base is not None:
            duration_ms = int(stream.duration * stream.time_base * 1000)
        return Probe(
            format=kind,
            video_codec=codec,
            width=first.width,
            height=first.height,
            duration_ms=duration_ms,
            has_audio=bool(container.streams.audio),
        )


def fit(width: int, height: int, max_short_side: int) -> tuple[int, int]:
    """Scale (width, height) down so the shorter side is at most `max_short_side`; both even."""
    short = min(width, height)
    scale = min(1.0, max_short_side / short) if short > 0 else 1.0
    w = max(2, int(width * scale) // 2 * 2)
    h = max(2, int(height * scale) // 2 * 2)
    return w, h


def _frame_rate(stream: Any, max_fps: int) -> Fraction:
    rate = stream.average_rate or stream.guessed_rate
    if not rate or rate <= 0:
        return Fraction(max_fps)
    rate = Fraction(rate).limit_denominator(1001)
    return min(rate, Fraction(max_fps))


def transcode(
    src: Path,
    out_mp4: Path,
    out_poster: Path,
    *,
    max_short_side: int = 720,
    max_fps: int = 30,
    max_seconds: int = 600,
) -> Transcoded:
    """Write an H.264/AAC MP4 (at most `max_short_side`p, `max_fps`) and a JPEG poster."""
    av = _av()
    tmp = out_mp4.with_name(out_mp4.name + ".part")
    out_mp4.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = _transcode(av, src, tmp, out_poster, max_short_side, max_fps, max_seconds)
    except av.FFmpegError as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise VideoRejected(
            f"The video could not be transcoded ({exc.__class__.__name__})."
        ) from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    tmp.replace(out_mp4)
    return result


def _transcode(
    av: Any,
    src: Path,
    tmp: Path,
    out_poster: Path,
    max_short_side: int,
    max_fps: int,
    max_seconds: int,
) -> Transcoded:
    with av.open(str(src)) as inp:
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        ain = inp.streams.audio[0] if inp.streams.audio else None
        ctx = vin.codec_context
        width, height = fit(ctx.width, ctx.height, max_short_side)
        rate = _frame_rate(vin, max_fps)
        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            vout = out.add_stream("libx264", rate=rate)
            vout.width = width
            vout.height = height
            vout.pix_fmt = "yuv420p"
            vout.options = {"preset": "veryfast", "crf": "23", "profile": "main"}
            aout = None
            resampler = fifo = None
            if ain is not None:
                aout = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
                aout.bit_rate = 128_000
                resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
                fifo = av.AudioFifo()
            state = _State()
            streams = [s for s in (vin, ain) if s is not None]
            for packet in inp.demux(*streams):
                if state.done:
                    break
                for frame in packet.decode():
                    if packet.stream is vin:
                        _video_frame(frame, state, out, vout, rate, width, height, max_seconds)
                        if state.poster is None and state.first_time is not None:
                            t = (frame.time or 0.0) - state.first_time
                            if t >= POSTER_AT_SECONDS:
                                state.poster = frame.to_image()
                    elif aout is not None and resampler is not None and fifo is not None:
                        if frame.time is not None and frame.time > max_seconds:
                            continue
                        for resampled in resampler.resample(frame):
                            resampled.pts = None  # the output clock counts samples
                            fifo.write(resampled)
                        _drain_audio(fifo, out, aout, state, final=False)
            for packet in vout.encode(None):
                out.mux(packet)
            if aout is not None and resampler is not None and fifo is not None:
                for resampled in resampler.resample(None):
                    resampled.pts = None
                    fifo.write(resampled)
                _drain_audio(fifo, out, aout, state, final=True)
                for packet in aout.encode(None):
                    out.mux(packet)
    if state.last_pts < 0:
        raise VideoRejected("The video has no pictures.")
    poster = state.poster or state.first_image
    if poster is None:
        raise VideoRejected("The video has no pictures.")
    out_poster.parent.mkdir(parents=True, exist_ok=True)
    poster.convert("RGB").resize((width, height)).save(out_poster, format="JPEG", quality=85)
    video_ms = int((state.last_pts + 1) * 1000 / rate)
    audio_ms = state.audio_samples * 1000 // AUDIO_RATE
    return Transcoded(
        width=width,
        height=height,
        duration_ms=max(video_ms, min(audio_ms, video_ms + 1000)),
        has_audio=ain is not None,
    )


class _State:
    def __init__(self) -> None:
        self.first_time: float | None = None
        self.last_pts = -1
        self.poster: Any = None
        self.first_image: Any = None
        self.audio_samples = 0
        self.done = False


def _video_frame(
    frame: Any,
    state: _State,
    out: Any,
    vout: Any,
    rate: Fraction,
    width: int,
    height: int,
    max_seconds: int,
) -> None:
    t = frame.time
    if t is None:
        t = 0.0 if state.first_time is None else state.first_time + (state.last_pts + 1) / rate
    if state.first_time is None:
        state.first_time = t
        state.first_image = frame.to_image()
    elapsed = t - state.first_time
    if elapsed > max_seconds:
        state.done = True
        return
    pts = math.floor(elapsed * rate + Fraction(1, 2))
    if pts <= state.last_pts:
        return  # a frame faster than the output rate: dropped
    picture = frame.reformat(width=width, height=height, format="yuv420p")
    picture.pts = pts
    picture.time_base = Fraction(1) / rate
    state.last_pts = pts
    for packet in vout.encode(picture):
        out.mux(packet)


def _drain_audio(fifo: Any, out: Any, aout: Any, state: _State, *, final: bool) -> None:
    while fifo.samples >= AAC_FRAME or (final and fifo.samples > 0):
        chunk = fifo.read(min(AAC_FRAME, fifo.samples) if final else AAC_FRAME)
        if chunk is None:
            return
        chunk.pts = state.audio_samples
        chunk.time_base = Fraction(1, AUDIO_RATE)
        state.audio_samples += chunk.samples
        for packet in aout.encode(chunk):
            out.mux(packet)
