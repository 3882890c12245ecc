from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from organizations.models import ApiToken, FocalPoint, Organization
from tracker.api import TranslationField


class OrganizationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:organization-detail", lookup_field="acronym")
    parent = serializers.SlugRelatedField(
        slug_field="acronym",
        read_only=True,
        allow_null=True,
        help_text="The acronym of the organization it is part of.",
    )
    translation = TranslationField()

    class Meta:
        model = Organization
        fields = ["acronym", "url", "name", "translation", "kind", "parent", "website"]


class FocalPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = FocalPoint
        fields = ["name", "title", "email", "phone", "confirmed_on"]


class OrganizationDetailSerializer(OrganizationSerializer):
    focal_points = FocalPointSerializer(many=True, read_only=True, source="active_focal_points")
    children = serializers.SlugRelatedField(slug_field="acronym", many=True, read_only=True)

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "children", "focal_points"]


class TokenRequestSerializer(AuthTokenSerializer):
    name = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True, help_text="What the token is for."
    )


class NewTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key, shown this once: send it as `Authorization: Token <key>`.")
    expires_at = serializers.DateTimeField()
    id = serializers.IntegerField(help_text="The token's id in `auth/tokens/`, to revoke it.")


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its key nor the key's hash."""

    user = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = fields
