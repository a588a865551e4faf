"""Reading rendered videos back: ffprobe, frames as pixels, burned-in text through OCR."""

import json
import subprocess
from pathlib import Path

import numpy as np

from editorbot.video.alignment import comparable


def probe(video: Path) -> dict:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
         str(video)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def top_level_boxes(video: Path) -> list[str]:
    """The MP4's top-level box types in file order (faststart puts moov before mdat)."""
    boxes, data, at = [], video.read_bytes(), 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        boxes.append(data[at + 4 : at + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[at + 8 : at + 16], "big")
        if size < 8:
            break
        at += size
    return boxes


def gray_frame(video: Path, at_s: float, width: int, height: int) -> np.ndarray:
    """The frame shown at `at_s`, in grey levels, as a height × width array."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{at_s:.3f}", "-i", str(video), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width)


def text_rows(frame: np.ndarray) -> np.ndarray:
    """Rows holding text: the backgrounds are uniform along a row, letters are not."""
    deviation = np.abs(frame.astype(int) - np.median(frame, axis=1, keepdims=True))
    return np.flatnonzero((deviation > 60).sum(axis=1) > 2)


def text_columns(frame: np.ndarray) -> np.ndarray:
    deviation = np.abs(frame.astype(int) - np.median(frame, axis=1, keepdims=True))
    return np.flatnonzero((deviation > 60).sum(axis=0) > 2)


def read_text(video: Path, at_s: float, workdir: Path, scale: int = 1) -> list[str]:
    """The words Tesseract (Spanish) reads in the frame at `at_s`, as written."""
    image = workdir / f"ocr-{at_s:.3f}.png"
    # Light letters (white, the highlight) become black on white, outlines and background white.
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", f"{at_s:.3f}", "-i", str(video), "-frames:v", "1",
         "-vf", f"scale=iw*{scale}:ih*{scale},format=gray,lutyuv=y='if(gt(val,160),0,255)'",
         str(image)],
        check=True,
    )  # fmt: skip
    result = subprocess.run(
        ["tesseract", str(image), "stdout", "-l", "spa", "--psm", "11"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.split()


def comparable_words(words: list[str]) -> set[str]:
    return {comparable(w) for w in words if comparable(w)}
