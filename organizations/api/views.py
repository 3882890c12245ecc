import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from organizations import services
from organizations.api.serializers import (
    ApiTokenSerializer,
    NewTokenSerializer,
    OrganizationDetailSerializer,
    OrganizationSerializer,
    TokenRequestSerializer,
)
from organizations.models import ApiToken, Organization
from organizations.roles import Role, user_role
from tracker.api import LANGUAGE_PARAMETER, PARSER_CLASSES, ContentLanguage
from tracker.client_ip import client_ip
from tracker.lockout import cooloff_minutes, lockout_message


class AuthRateThrottle(ScopedRateThrottle):
    """API_AUTH_RATE per client address, the address read as the sign-in limits read it (not from
    a client's X-Forwarded-For). Counted in the cache, so per process without Redis: the limit
    that holds across processes is axes' lockout (LOGIN_FAILURE_LIMIT)."""

    def get_ident(self, request):
        return client_ip(request) or super().get_ident(request)


@extend_schema_view(
    list=extend_schema(parameters=[LANGUAGE_PARAMETER]), retrieve=extend_schema(parameters=[LANGUAGE_PARAMETER])
)
class OrganizationViewSet(ContentLanguage, viewsets.ReadOnlyModelViewSet):
    """The organizations that answer for activities, and (in the detail) their focal points."""

    lookup_field = "acronym"
    lookup_value_regex = "[A-Za-z0-9-]+"
    filterset_fields = ["kind"]

    def get_queryset(self):
        organizations = Organization.objects.for_directory()
        if self.action == "retrieve":
            organizations = organizations.prefetch_related("children").with_active_focal_points()
        return organizations

    def get_serializer_class(self):
        return OrganizationDetailSerializer if self.action == "retrieve" else OrganizationSerializer


class TokenView(ObtainAuthToken):
    """Exchange a username and password for a new API token (the key is shown this once).

    The token works for API_TOKEN_DAYS days (90 unless configured), until it is revoked, the
    account is deactivated or its password changes.

    The serializer authenticates with the request, so django-axes counts wrong passwords: after
    LOGIN_FAILURE_LIMIT of them for a username from one address, the answer is 429 with a message
    saying when to try again, for LOGIN_COOLOFF_MINUTES, the right password too.
    """

    parser_classes = PARSER_CLASSES  # not ObtainAuthToken's: DRF's, which let a deep JSON body be a 500
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth"
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: NewTokenSerializer,
            429: OpenApiResponse(
                description="Too many attempts: this username is locked out from this address after "
                "LOGIN_FAILURE_LIMIT wrong passwords, or this address sent more than API_AUTH_RATE requests; "
                "`Retry-After` says in how many seconds to try again."
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # axes marks the request it was given (DRF's, here) when this attempt is locked out.
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {"detail": lockout_message()},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                    headers={"Retry-After": str(cooloff_minutes() * 60)},
                )
            raise
        token, key = services.api_token_create(
            user=serializer.validated_data["user"], name=serializer.validated_data["name"]
        )
        return Response(NewTokenSerializer({"token": key, "expires_at": token.expires_at, "id": token.pk}).data)


class ApiTokenFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="user__username", help_text="The owner's username (CTED staff).")

    class Meta:
        model = ApiToken
        fields = ["user"]


@extend_schema_view(
    list=extend_schema(description="Your API tokens (CTED staff: everyone's, `user` filters by owner), newest first."),
    destroy=extend_schema(description="Revoke a token for good (204); someone else's is a 404 unless CTED staff."),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """API tokens, without their keys (nor the keys' hashes); DELETE revokes one."""

    serializer_class = ApiTokenSerializer
    filterset_class = ApiTokenFilter

    def get_queryset(self):
        tokens = ApiToken.objects.for_list()
        if getattr(self, "swagger_fake_view", False):  # the schema's generation: no user
            return tokens.none()
        if user_role(self.request.user) != Role.STAFF:
            tokens = tokens.filter(user=self.request.user)
        return tokens

    def perform_destroy(self, instance):
        services.api_token_revoke(token=instance, actor=self.request.user)
