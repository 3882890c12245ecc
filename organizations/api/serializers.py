from rest_framework import serializers

from organizations.models import FocalPoint, Organization


class OrganizationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:organization-detail", lookup_field="acronym")
    parent = serializers.SlugRelatedField(slug_field="acronym", read_only=True)

    class Meta:
        model = Organization
        fields = ["acronym", "url", "name", "kind", "parent", "website"]


class FocalPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = FocalPoint
        fields = ["name", "title", "email", "phone", "confirmed_on"]


class OrganizationDetailSerializer(OrganizationSerializer):
    focal_points = FocalPointSerializer(many=True, read_only=True, source="active_focal_points")
    children = serializers.SlugRelatedField(slug_field="acronym", many=True, read_only=True)

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "children", "focal_points"]
