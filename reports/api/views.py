import json

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from actions import permissions
from reports import exports
from reports.api.serializers import CycleCloseSerializer, CycleSerializer, ReportSerializer
from reports.models import Edition, StocktakingCycle
from reports.services import cycle_close, cycle_create, cycle_open
from reports.views import EDITION_CHOICE, report_response
from tracker.api import service_errors
from tracker.languages import LANGUAGE_CODES, asked_language, language_choice


class AnyFormatRenderer(renderers.BaseRenderer):
    """Lets a client ask for the report as application/pdf, text/csv and the like.

    The report itself is a finished HttpResponse; this renderer only writes errors, as JSON.
    """

    media_type = "*/*"
    format = "report"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


class CycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Stocktaking cycles: reporting periods of a plan. The secretariat and CTED staff create,
    open and close them; everyone reads their reports."""

    serializer_class = CycleSerializer
    filterset_fields = ["state"]

    def get_queryset(self):
        return StocktakingCycle.objects.select_related("plan").order_by("plan_id", "-period_end")

    def create(self, request, *args, **kwargs):
        permissions.may_run_stocktaking(request.user).require()
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            cycle = cycle_create(author=request.user, **incoming.validated_data)
        return Response(self.get_serializer(cycle).data, status=201)

    @extend_schema(request=None, responses={200: CycleSerializer})
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._transition(cycle_open)

    @extend_schema(
        request=CycleCloseSerializer,
        responses={
            200: CycleSerializer,
            400: OpenApiResponse(
                description='Without {"confirm": true}, the field confirm says what closing would do: '
                "how many organizations and focal points receive the report, how many expected pairs have "
                "not reported. A cycle that is not open is refused on state."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close an open cycle: irreversible, so the body is ``{"confirm": true}``."""
        permissions.may_run_stocktaking(request.user).require()
        cycle = self.get_object()
        incoming = CycleCloseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            cycle_close(cycle=cycle, actor=request.user, confirm=incoming.validated_data["confirm"])
        return Response(self.get_serializer(cycle).data)

    def _transition(self, change):
        permissions.may_run_stocktaking(self.request.user).require()
        cycle = self.get_object()
        with service_errors():
            change(cycle=cycle, actor=self.request.user)
        return Response(self.get_serializer(cycle).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv", "xlsx", "pdf", "html"],
                default="json",
                description="The report's format.",
            ),
            OpenApiParameter(
                "edition",
                OpenApiTypes.STR,
                enum=Edition.values,
                default=Edition.PARTICIPANTS,
                description="participants: what every participant may read, restricted filings shown as "
                "reported in confidence; internal: everything, restricted entries marked (CTED staff only).",
            ),
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                enum=LANGUAGE_CODES,
                description="The language of the report's headings, labels and dates (HTML, PDF, XLSX); by default "
                "the requester's (Accept-Language, or their chosen language). The CSV and the JSON keep English "
                "keys and codes whatever it is.",
            ),
        ],
        responses={
            (200, "application/json"): ReportSerializer,
            **{(200, exports.FORMATS[f].split(";")[0]): OpenApiTypes.BINARY for f in ("csv", "xlsx", "pdf", "html")},
            403: OpenApiResponse(description="The internal edition, asked for by anyone but CTED staff."),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, AnyFormatRenderer])
    def report(self, request, pk=None):
        """The cycle's stocktaking report, in the participants edition or (CTED staff) the internal one."""
        format_ = request.query_params.get("format", "json")
        edition = request.query_params.get("edition", Edition.PARTICIPANTS)
        language = asked_language(request.query_params)
        errors = {}
        if format_ not in exports.FORMATS:
            errors["format"] = [gettext("Choose one of %(formats)s.") % {"formats": ", ".join(exports.FORMATS)}]
        if edition not in Edition.values:
            errors["edition"] = [EDITION_CHOICE]
        if language is None:
            errors["lang"] = [language_choice(request.query_params)]
        if errors:
            raise ValidationError(errors)
        return report_response(self.get_object(), request.user, format_, edition, language)
