from django.urls import path, re_path

from reports import views

urlpatterns = [
    path("", views.cycle_list, name="cycle-list"),
    path("new/", views.cycle_new, name="cycle-new"),
    path("<int:pk>/", views.cycle_detail, name="cycle-detail"),
    re_path(r"^(?P<pk>[0-9]+)/report\.(?P<format_>html|csv|xlsx|pdf|json)$", views.cycle_report, name="cycle-report"),
    path("<int:pk>/exports/<int:export_pk>/", views.cycle_export, name="cycle-export"),
    path("<int:pk>/symbol/", views.cycle_symbol, name="cycle-symbol"),
    re_path(r"^(?P<pk>[0-9]+)/sent/(?P<format_>pdf|xlsx)$", views.cycle_report_file, name="cycle-report-file"),
    re_path(r"^(?P<pk>[0-9]+)/(?P<action>open|close)/$", views.cycle_transition, name="cycle-transition"),
]

spreadsheet_urlpatterns = [
    path("spreadsheet.xlsx", views.spreadsheet_download, name="spreadsheet-download"),
    path("upload/", views.spreadsheet_upload, name="spreadsheet-upload"),
]
