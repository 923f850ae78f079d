"""The first bytes of real files, for uploads whose content is checked against their name."""

# An ID3v2.3 tag header, as an MP3 recording starts.
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10
# An MPEG-1 layer III frame header with no tag before it.
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 16
WAV = b"RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n"
# A Windows executable: "MZ" and its DOS header.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 40
