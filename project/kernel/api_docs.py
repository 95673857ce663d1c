"""The API docs: one OpenAPI schema per department, and a Swagger UI page that offers them all.

A department served in this process has its schema generated here from its own URL patterns;
a department served elsewhere has it fetched from its service, server-side, on each request
(nothing kept), so the browser asks only this origin: no CORS, and the CSP's `connect-src
'self'` holds. The schemas name no `servers`: Swagger UI sends "Try it out" to this origin's
paths (`/api/countries/`, ...), which one host routing paths to their services (the Ingress)
takes to the department."""

import json
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from project.kernel.http import fetch_json
from project.kernel.ports import DepartmentUnavailable


class DepartmentSchemaView(SpectacularAPIView):
    """The schema of a department served here: its own URL patterns, nothing else of the
    process, under its own title."""

    title: str = ""

    def _get_schema_response(self, request: Request) -> Response:
        response = super()._get_schema_response(request)
        response.data["info"]["title"] = self.title
        return response


class RemoteSchemaView(APIView):
    """The schema of a department served elsewhere, as its service answers it at `url`."""

    renderer_classes = SpectacularAPIView.renderer_classes
    permission_classes = SpectacularAPIView.permission_classes
    authentication_classes = SpectacularAPIView.authentication_classes
    department: str = ""
    url: str = ""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        # Any other status, or no answer in time: DepartmentUnavailable, answered as a 503.
        _, document = fetch_json(self.department, self.url)
        if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
            raise DepartmentUnavailable(
                self.department, "it answered something other than an OpenAPI document"
            )
        return Response(document)


class DepartmentsSwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI with a menu of the departments' schemas (`schemas`: department and URL name
    of its schema, the first shown first; `?urls.primaryName=<department>` opens another).
    drf-spectacular's split view serves the start-up script as a file: no inline script."""

    schemas: Sequence[tuple[str, str]] = ()

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is not None:
            response.data["settings"] = self._settings()  # read when the response renders
        return response

    def _settings(self) -> str:
        """Swagger UI's options, as the JavaScript object literal the script spreads into them:
        the menu needs the standalone preset, which JSON cannot name."""
        configured = spectacular_settings.SWAGGER_UI_SETTINGS
        options = {
            **(configured if isinstance(configured, dict) else {}),
            "urls": [{"name": name, "url": reverse(url_name)} for name, url_name in self.schemas],
            "layout": "StandaloneLayout",
            # The standalone layout's badge would send each schema's URL to swagger.io.
            "validatorUrl": None,
        }
        return (
            json.dumps(options, indent=2)[:-2]
            + ',\n  "presets": [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset]\n}'
        )
