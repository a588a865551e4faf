"""Hostile notes, made on the spot: files that point ffmpeg at other files, or lie about length.

Each one sits in `out/`, and whatever it points at (its lure: real speech that would be
transcribed and published if followed) sits in `out/targets/`, so a test can watch that
directory and see whether anything opened a lure.
"""

import re
import shutil
import socket
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

TARGETS = "targets"
BOMB_HOURS = 10  # what the decompression bomb decodes to, from a file of about 60 KB
LYING_SECONDS = 5  # what the bomb's header says it lasts


@dataclass(frozen=True)
class HostileInput:
    name: str
    filename: str
    reason: str  # words the one sentence must contain
    lures: tuple[str, ...] = ()  # files under targets/ that plain ffmpeg opens because of it
    # ffprobe options under which plain ffmpeg follows the file to its lures (the proof that
    # the file is hostile): its defaults, or the one option an unwary caller might set.
    follow_with: tuple[str, ...] = ()

    def __str__(self) -> str:  # the test id
        return self.name


_REFERS = "refers to other files"
_TOO_LONG = "minutes; the limit is"  # the limit itself is the caller's setting

HOSTILE_INPUTS = [
    # The measured hole: an HLS playlist sent as a voice note, naming a local recording.
    HostileInput("hls-ogg", "playlist.ogg", _REFERS, ("speech.ogg",)),
    HostileInput("hls-oga", "playlist.oga", _REFERS, ("speech.oga",)),
    HostileInput("hls-mp3", "playlist.mp3", _REFERS, ("speech.mp3",)),
    # ffconcat only takes names below its own directory unless `-safe 0`: plain ffmpeg
    # follows this one when the list sits next to targets/.
    HostileInput("ffconcat", "list.ogg", _REFERS, ("speech.ogg",)),
    # SDP opens network sockets; plain ffmpeg refuses rtp/udp from a file by default.
    HostileInput("sdp", "stream.ogg", _REFERS, (), ("-protocol_whitelist", "file,rtp,udp")),
    # An image sequence: a note named like ffmpeg's %d pattern, next to numbered frames.
    HostileInput("image-sequence", f"{TARGETS}/frame%03d.png", "no sound in it", ("frame001.png",)),
    # An MP4 whose samples live in another file (an external data reference, 'alis' dref).
    HostileInput("mp4-dref", "external.m4a", _REFERS, ("speech.m4a",), ("-enable_drefs", "1")),
    # Headers that say hours: refused from the header, before any decoding.
    HostileInput("wav-says-hours", "hours.wav", _TOO_LONG),
    HostileInput("ogg-says-hours", "hours.ogg", _TOO_LONG),
    # A decompression bomb with a header that says 5 s: 60 KB that decodes to 10 hours.
    HostileInput("flac-bomb", "bomb.flac", "more than"),
]


def lures_in(corpus: dict[str, Path]) -> Path:
    """The directory of the lures, for a corpus that make_hostile_inputs wrote."""
    return corpus["hls-ogg"].parent / TARGETS


def _ffmpeg(*args) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", *map(str, args)], check=True, timeout=120
    )


def make_hostile_inputs(out: Path, recording: Path) -> dict[str, Path]:
    """Write every file of HOSTILE_INPUTS under `out`, their lures under `out/targets`."""
    targets = out / TARGETS
    targets.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(recording, targets / "speech.ogg")
    shutil.copyfile(recording, targets / "speech.oga")
    _ffmpeg("-i", recording, "-c:a", "libmp3lame", targets / "speech.mp3")
    _ffmpeg("-i", recording, "-c:a", "aac", targets / "speech.m4a")
    for number in (1, 2, 3):
        _ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1",
                targets / f"frame{number:03d}.png")  # fmt: skip
    written = {
        "playlist.ogg": _hls(targets / "speech.ogg"),
        "playlist.oga": _hls(targets / "speech.oga"),
        "playlist.mp3": _hls(targets / "speech.mp3"),
        "list.ogg": f"ffconcat version 1.0\nfile {TARGETS}/speech.ogg\n".encode(),
        "stream.ogg": _sdp(_free_port_pair()),
        f"{TARGETS}/frame%03d.png": (targets / "frame001.png").read_bytes(),
        "external.m4a": _mp4_with_external_samples(targets / "speech.m4a"),
        "hours.wav": _wav_at_one_hertz(),
        "hours.ogg": _ogg_claiming(recording.read_bytes(), hours=5),
        "bomb.flac": _flac_bomb(BOMB_HOURS * 3600, LYING_SECONDS),
    }
    for filename, data in written.items():
        (out / filename).write_bytes(data)
    return {hostile.name: out / hostile.filename for hostile in HOSTILE_INPUTS}


def _hls(segment: Path) -> bytes:
    """A playlist of one segment: the local file, by absolute path."""
    return f"#EXTM3U\n#EXT-X-TARGETDURATION:60\n#EXTINF:60,\n{segment}\n#EXT-X-ENDLIST\n".encode()


def _free_port_pair() -> int:
    """An even UDP port free now, with the next one (RTP and RTCP), so sessions do not clash."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rtp:
            rtp.bind(("0.0.0.0", 0))
            port = rtp.getsockname()[1]
            if port % 2 == 0 and port < 65535:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rtcp:
                    try:
                        rtcp.bind(("0.0.0.0", port + 1))
                    except OSError:
                        continue
                return port


def sdp_port(note: Path) -> int:
    """The UDP port an SDP note of this corpus asks ffmpeg to listen on."""
    return int(re.search(rb"m=audio (\d+) ", note.read_bytes()).group(1))


def _sdp(port: int) -> bytes:
    """A session description: ffmpeg would listen for RTP on a UDP port of this machine."""
    return (
        "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=note\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\n"
    ).encode()


def _wav_at_one_hertz() -> bytes:
    """One second of a 16 kHz tone whose header says 1 sample per second: 4.4 hours."""
    samples = 16_000
    pcm = b"".join(struct.pack("<h", 8000 if (i // 20) % 2 else -8000) for i in range(samples))
    fmt = struct.pack("<HHIIHH", 1, 1, 1, 2, 2, 16)  # PCM, mono, 1 Hz, 2 bytes/s, align 2, 16 bit
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


# -- Ogg: rewrite the last page's granule position, and its checksum ----------------------------


def _ogg_crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_OGG_CRC = _ogg_crc_table()


def _ogg_crc(page: bytes) -> int:
    crc = 0
    for byte in page:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _OGG_CRC[((crc >> 24) & 0xFF) ^ byte]
    return crc


def _ogg_claiming(recording: bytes, hours: float) -> bytes:
    """The real Ogg/Opus note, its last page saying it ends `hours` in (Opus counts 48 kHz)."""
    last = recording.rindex(b"OggS")
    page = bytearray(recording[last:])
    struct.pack_into("<q", page, 6, int(hours * 3600 * 48_000))
    struct.pack_into("<I", page, 22, 0)
    struct.pack_into("<I", page, 22, _ogg_crc(bytes(page)))
    return recording[:last] + bytes(page)


# -- FLAC: constant subframes, 65535 samples in about 14 bytes ---------------------------------


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8005) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def _utf8_number(number: int) -> bytes:
    """FLAC's frame number coding (UTF-8's scheme, extended to 36 bits)."""
    return chr(number).encode("utf-8")  # frame numbers here stay far below 0x10FFFF


def _flac_bomb(seconds: int, says_seconds: int) -> bytes:
    """8 kHz mono FLAC of a steady level lasting `seconds`; its header says `says_seconds`."""
    rate, block = 8_000, 65_535
    frames = -(-seconds * rate // block)
    streaminfo = struct.pack(">HH", block, block) + (0).to_bytes(3, "big") * 2
    # sample rate (20 bits) | channels-1 (3) | bits-1 (5) | total samples (36), then MD5.
    packed = (rate << 44) | (0 << 41) | (15 << 36) | (says_seconds * rate)
    streaminfo += packed.to_bytes(8, "big") + bytes(16)
    out = bytearray(b"fLaC" + bytes([0x80]) + len(streaminfo).to_bytes(3, "big") + streaminfo)
    for number in range(frames):
        # fixed block size; block size from a 16-bit field at the end; 8 kHz; mono, 16 bit.
        header = b"\xff\xf8\x74\x08" + _utf8_number(number) + struct.pack(">H", block - 1)
        header += bytes([_crc8(header)])
        frame = header + b"\x00" + struct.pack(">h", 12_000)  # a CONSTANT subframe
        out += frame + struct.pack(">H", _crc16(frame))
    return bytes(out)


# -- MP4: the same track, its samples said to live in another file -----------------------------

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"dinf"}


def _boxes(data: bytes, start: int, end: int):
    while start + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, start)
        yield kind, start, start + size
        start += size


def _alis_entry(path: Path) -> bytes:
    """A Mac alias record as ffmpeg's mov demuxer reads it, naming `path` (absolute) as 32
    levels up from the note (past the root, from any directory) and then down to `path`."""
    full = str(path).encode()
    body = bytes(10) + bytes([0]) + bytes(27) + bytes(12)
    body += bytes([len(path.name)]) + path.name.encode().ljust(63, b"\0") + bytes(16)
    body += struct.pack(">HH", 32, len(path.parts) - 1) + bytes(16)
    body += struct.pack(">HH", 2, len(full)) + full + (b"\0" if len(full) % 2 else b"")
    body += struct.pack(">hH", -1, 0)
    return struct.pack(">I4sI", 12 + len(body), b"alis", 0) + body


def _mp4_with_external_samples(lure: Path) -> bytes:
    """ftyp + moov of the M4A `lure` and no media of its own: its one data reference names
    `lure` (the sample offsets in its stco fit that file), so the samples come from there."""
    m4a = lure.read_bytes()
    entry = _alis_entry(lure)
    dref = struct.pack(">I4sII", 16 + len(entry), b"dref", 0, 1) + entry

    def rebuilt(kind: bytes, start: int, end: int) -> bytes:
        if kind == b"dref":
            return dref
        if kind not in _CONTAINERS:
            return m4a[start:end]
        inner = b"".join(rebuilt(*box) for box in _boxes(m4a, start + 8, end))
        return struct.pack(">I4s", 8 + len(inner), kind) + inner

    top = {kind: (kind, start, end) for kind, start, end in _boxes(m4a, 0, len(m4a))}
    return rebuilt(*top[b"ftyp"]) + rebuilt(*top[b"moov"])
