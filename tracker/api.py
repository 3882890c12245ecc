from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; a whole plan fits on one page."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
