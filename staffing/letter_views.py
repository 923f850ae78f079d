"""Letters the outbox wrote for the mail room, downloaded by those who may read
the outbox (the files have no public address)."""

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from csc.lib.files import protected_file_response
from staffing.access import permission
from staffing.models import OutboxMessage
from staffing.outbox import letter_names


@permission("staffing.view_outboxmessage")
@require_GET
def letter_download(request: HttpRequest, pk: int) -> HttpResponse:
    message = OutboxMessage.objects.filter(pk=pk, channel=OutboxMessage.Channel.LETTER).first()
    if message is None:
        raise Http404
    for name in letter_names(message.pk):
        if (Path(settings.MEDIA_ROOT) / name).is_file():
            return protected_file_response(name, filename=f"letter-{message.pk}.txt")
    raise Http404
