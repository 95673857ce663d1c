"""The product's URLs plus one answering the bytes of the file $FLOOR_BODY: through the
product's middleware and request log, what its stack costs before a page does any work."""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from project.urls import urlpatterns as product_urlpatterns

BODY = Path(os.environ["FLOOR_BODY"]).read_bytes()


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("compare-floor/", page), *product_urlpatterns]
