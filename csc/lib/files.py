"""Stored files leave only through views that have checked who asks.

Nothing under MEDIA_ROOT has a public URL. A view that has checked the
permission answers with `protected_file_response`: the file itself
(FileResponse), or, when MEDIA_INTERNAL_REDIRECT names an internal location
of the web server (nginx `internal;`), an X-Accel-Redirect there, so the
server sends the bytes and the worker is free at once.
"""

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.utils.http import content_disposition_header


def protected_file_response(
    name: str, *, filename: str, as_attachment: bool = True
) -> HttpResponseBase:
    """The stored file at `name` (relative to MEDIA_ROOT), downloaded as `filename`;
    404 when it is missing. Sent as bytes to save (`application/octet-stream`
    for attachments): a browser never renders an uploaded file in our origin."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404
    content_type = "application/octet-stream" if as_attachment else None
    prefix = getattr(settings, "MEDIA_INTERNAL_REDIRECT", "")
    if prefix:
        response = HttpResponse(content_type=content_type or "text/plain; charset=utf-8")
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
        # None for an unnamed inline file: no header then, rather than the text "None".
        disposition = content_disposition_header(as_attachment, filename)
        if disposition:
            response["Content-Disposition"] = disposition
        return response
    try:
        handle = path.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
