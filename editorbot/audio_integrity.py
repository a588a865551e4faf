"""Container checks for truncation that ffmpeg decodes past without a word."""

import struct


def ogg_problem(data: bytes) -> str | None:
    """Why an Ogg stream is cut short or damaged, or None when every page is whole."""
    cut_off = "the recording stops in the middle (the upload seems cut off)"
    offset, last_flags = 0, 0
    while offset < len(data):
        if data[offset : offset + 4] != b"OggS"[: len(data) - offset]:
            return "the recording is damaged (an Ogg page is garbled)"
        if len(data) < offset + 27:
            return cut_off
        table_end = offset + 27 + data[offset + 26]
        if len(data) < table_end:
            return cut_off
        page_end = table_end + sum(data[offset + 27 : table_end])
        if len(data) < page_end:
            return cut_off
        last_flags, offset = data[offset + 5], page_end
    if not last_flags & 0x04:  # end-of-stream flag on the final page
        return "the recording has no proper ending (the upload seems cut off)"
    return None


def wav_problem(data: bytes) -> str | None:
    """Why a RIFF/WAVE file promises more sound than it holds, or None."""
    offset = 12
    while offset + 8 <= len(data):
        chunk_id = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        if chunk_id == b"data":
            # 0xFFFFFFFF marks a stream written without knowing its length.
            if size not in (0, 0xFFFFFFFF) and offset + 8 + size > len(data):
                return "the recording stops in the middle (the WAV file is cut off)"
            return None
        offset += 8 + size + (size & 1)
    return None


def container_problem(data: bytes) -> str | None:
    """A sentence about truncation for the containers we can check cheaply, else None."""
    if data.startswith(b"OggS"):
        return ogg_problem(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return wav_problem(data)
    return None
