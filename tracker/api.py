from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; a whole plan fits on one page."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


@contextmanager
def service_errors():
    """Turn a service's ValidationError into DRF's, so bad input is a 400 with field errors."""
    try:
        yield
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise ValidationError(detail) from None
