"""Uploads refused while they stream, not after the whole body is on disk."""

from collections.abc import Callable
from functools import wraps

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt, csrf_protect

# Room for the form's other fields and the multipart framing around the file.
FORM_ALLOWANCE = 64 * 1024


class SizeLimitedUploadHandler(FileUploadHandler):
    """First in the request's handler chain: a body whose Content-Length is beyond
    the limit is not read at all, and a file that grows past it while it streams
    stops the upload there (later handlers never store the rest)."""

    def __init__(self, request: HttpRequest, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.max_bytes + FORM_ALLOWANCE:
            self.exceeded = True
            return QueryDict(), MultiValueDict()  # nothing parsed, nothing read
        return None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            # Drains what is left of the body (under FORM_ALLOWANCE) without storing it.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def limit_upload(request: HttpRequest, max_bytes: int) -> SizeLimitedUploadHandler:
    """Put the limit in front of Django's handlers; call before the body is read."""
    handler = SizeLimitedUploadHandler(request, max_bytes)
    request.upload_handlers.insert(0, handler)
    return handler


def upload_exceeded(request: HttpRequest) -> bool:
    return any(getattr(handler, "exceeded", False) for handler in request.upload_handlers)


def upload_limited(
    max_bytes: Callable[[], int], refuse: Callable[..., HttpResponse]
) -> Callable[[Callable], Callable]:
    """A browser view whose upload is limited; `refuse(request, *args, **kwargs)`
    answers one that is too large. The CSRF check reads the body, so it moves
    inside, after the limit is in place (Django's documented pattern for upload
    handlers); a refused upload changes nothing, so it needs no token."""

    def decorator(view: Callable) -> Callable:
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                limit_upload(request, max_bytes())
                request.POST  # noqa: B018 - parse now, under the limit
                if upload_exceeded(request):
                    return refuse(request, *args, **kwargs)
            return protected(request, *args, **kwargs)

        return limited

    return decorator
