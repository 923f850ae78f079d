"""What an uploaded file is, read from its first bytes, not from its name.

A small table of the formats the product accepts: each has its extensions, a
MIME type, a family (audio, video, image, PDF, text) and a test of the bytes
it starts with (its signature, "magic bytes"). A file is taken for what its
name says only when its content starts the way that format does, so an
executable renamed `.mp3` is refused. Pure Python, no libmagic.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

# Enough for every signature below and for a fair look at a text file.
HEAD_BYTES = 8192


class Family(StrEnum):
    AUDIO = "audio"
    VIDEO = "video"
    IMAGE = "image"
    PDF = "pdf"
    TEXT = "text"


@dataclass(frozen=True)
class FileType:
    label: str
    mime: str
    family: Family
    extensions: tuple[str, ...]
    matches: Callable[[bytes], bool]


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(prefixes)


def _riff(form: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[:4] == b"RIFF" and head[8:12] == form


def _ftyp(*brands: bytes) -> Callable[[bytes], bool]:
    """ISO base media (MP4, M4A, 3GP, QuickTime): "ftyp" and a major brand at byte 4."""

    def matches(head: bytes) -> bool:
        if head[4:8] != b"ftyp":
            return False
        return not brands or head[8:12].startswith(brands)

    return matches


def _mpeg_audio(head: bytes) -> bool:
    """MP3: an ID3 tag, or an MPEG audio frame (11 sync bits, a version and a layer)."""
    if head.startswith(b"ID3"):
        return True
    if len(head) < 2 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    return version != 0b01 and layer != 0b00


def _adts(head: bytes) -> bool:
    """Raw AAC (ADTS): 12 sync bits and layer 0."""
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0


def _text(head: bytes) -> bool:
    """Plain text in UTF-8 (with or without BOM) or GB18030, no NUL or control bytes."""
    if not head:
        return False
    controls = set(range(32)) - {9, 10, 12, 13}
    if any(byte in controls for byte in head.removeprefix(codecs.BOM_UTF8)):
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            # Not final: the head may end inside a character.
            decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return True
    return False


_M4A_BRANDS = (b"M4A", b"M4B")

FILE_TYPES: tuple[FileType, ...] = (
    FileType("MP3", "audio/mpeg", Family.AUDIO, ("mp3",), _mpeg_audio),
    FileType("WAV", "audio/wav", Family.AUDIO, ("wav",), _riff(b"WAVE")),
    FileType("AMR", "audio/amr", Family.AUDIO, ("amr",), _starts(b"#!AMR\n", b"#!AMR-WB\n")),
    FileType("M4A", "audio/mp4", Family.AUDIO, ("m4a",), _ftyp(*_M4A_BRANDS)),
    FileType("AAC", "audio/aac", Family.AUDIO, ("aac",), _adts),
    FileType("Ogg", "audio/ogg", Family.AUDIO, ("ogg", "oga", "opus"), _starts(b"OggS")),
    FileType("FLAC", "audio/flac", Family.AUDIO, ("flac",), _starts(b"fLaC")),
    FileType("MP4", "video/mp4", Family.VIDEO, ("mp4", "m4v"), _ftyp()),
    FileType("3GP", "video/3gpp", Family.VIDEO, ("3gp", "3g2"), _ftyp(b"3g")),
    FileType("QuickTime", "video/quicktime", Family.VIDEO, ("mov",), _ftyp(b"qt")),
    FileType("WebM", "video/webm", Family.VIDEO, ("webm", "mkv"), _starts(b"\x1a\x45\xdf\xa3")),
    FileType("AVI", "video/x-msvideo", Family.VIDEO, ("avi",), _riff(b"AVI ")),
    FileType("PNG", "image/png", Family.IMAGE, ("png",), _starts(b"\x89PNG\r\n\x1a\n")),
    FileType("JPEG", "image/jpeg", Family.IMAGE, ("jpg", "jpeg"), _starts(b"\xff\xd8\xff")),
    FileType("GIF", "image/gif", Family.IMAGE, ("gif",), _starts(b"GIF87a", b"GIF89a")),
    FileType("WebP", "image/webp", Family.IMAGE, ("webp",), _riff(b"WEBP")),
    FileType("BMP", "image/bmp", Family.IMAGE, ("bmp",), lambda h: h[:2] == b"BM" and len(h) > 26),
    FileType("PDF", "application/pdf", Family.PDF, ("pdf",), _starts(b"%PDF-")),
    FileType("Text", "text/plain", Family.TEXT, ("txt", "log"), _text),
    FileType("CSV", "text/csv", Family.TEXT, ("csv",), _text),
)

BY_EXTENSION: dict[str, FileType] = {
    extension: file_type for file_type in FILE_TYPES for extension in file_type.extensions
}


def extension_of(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def extensions_of(families: frozenset[Family] | set[Family]) -> list[str]:
    """The extensions accepted for these families, in table order."""
    return [ext for t in FILE_TYPES if t.family in families for ext in t.extensions]


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    CONTENT_MISMATCH = "content_mismatch"


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    file_type: FileType | None = None


def check_file(name: str, head: bytes, families: frozenset[Family] | set[Family]) -> Check:
    """Whether a file named `name` starting with `head` is one of the families' formats:
    its extension must name an accepted format, and its content must start as that
    format does."""
    file_type = BY_EXTENSION.get(extension_of(name))
    if file_type is None or file_type.family not in families:
        return Check(Verdict.TYPE_NOT_ALLOWED)
    if not file_type.matches(head):
        return Check(Verdict.CONTENT_MISMATCH, file_type)
    return Check(Verdict.ACCEPTED, file_type)


def read_head(fileobj, size: int = HEAD_BYTES) -> bytes:
    """The first bytes of an uploaded (or open) file; the file is left at its start."""
    fileobj.seek(0)
    head = fileobj.read(size)
    fileobj.seek(0)
    return head
