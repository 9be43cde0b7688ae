"""URL routes: sign-in, language, admin (reference data, at settings.ADMIN_PATH), and the pages
per role."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from goszakaz.api.root import api
from goszakaz.web import (
    allocation_views,
    attendance_views,
    bank_views,
    day_views,
    dispute_views,
    enrollment_views,
    funding_views,
    group_views,
    import_views,
    month_views,
    parent_views,
    payment_views,
    perechen_views,
    report_views,
    signin_views,
    tariff_views,
    verification_views,
    views,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", signin_views.SignIn.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("edu/queue/", views.edu_queue, name="edu-queue"),
    path("edu/queue/actualize/", views.edu_actualize, name="edu-actualize"),
    path("edu/allocation/", allocation_views.edu_allocations, name="edu-allocations"),
    path("edu/allocation/new/", allocation_views.edu_allocation_new, name="edu-allocation-new"),
    path("edu/allocation/<int:run_id>/", allocation_views.edu_allocation, name="edu-allocation"),
    path("edu/allocation/<int:run_id>/decide/", allocation_views.edu_allocation_decide,
         name="edu-allocation-decide"),
    path("parent/", views.parent_cabinet, name="parent-cabinet"),
    path("parent/vouchers/", enrollment_views.parent_vouchers, name="parent-vouchers"),
    path("parent/vouchers/<int:voucher_id>/sign/", enrollment_views.parent_sign,
         name="parent-sign"),
    path("edu/perechen/", enrollment_views.edu_perechen, name="edu-perechen"),
    path("edu/perechen/<int:preschool_id>/", perechen_views.edu_preschool, name="edu-preschool"),
    path("edu/perechen/<int:preschool_id>/exclude/", perechen_views.edu_preschool_exclude,
         name="edu-preschool-exclude"),
    path("edu/vouchers/", enrollment_views.edu_vouchers, name="edu-vouchers"),
    path("edu/upload/<slug:kind>/", import_views.edu_upload, name="edu-upload"),
    path("preschool/", enrollment_views.preschool_pupils, name="preschool-pupils"),
    path("preschool/day/", day_views.preschool_day, name="preschool-day"),
    path("preschool/month/", month_views.preschool_month, name="preschool-month"),
    path("preschool/month/template.xlsx", month_views.preschool_month_template,
         name="preschool-month-template"),
    path("preschool/groups/", group_views.preschool_groups, name="preschool-groups"),
    path("preschool/staff/", group_views.preschool_staff, name="preschool-staff"),
    path("preschool/disputes/", dispute_views.preschool_disputes, name="preschool-disputes"),
    path("preschool/disputes/<int:sheet_id>/answer/", dispute_views.preschool_dispute_answer,
         name="preschool-dispute-answer"),
    path("disputes/<int:sheet_id>/document/", dispute_views.dispute_document,
         name="dispute-document"),
    path("preschool/payments/", payment_views.preschool_payments, name="preschool-payments"),
    path("preschool/payments/transfers/<path:transfer_id>/", payment_views.preschool_transfer,
         name="preschool-transfer"),
    path("preschool/upload/", attendance_views.preschool_upload, name="preschool-upload"),
    path("parent/sheets/", parent_views.parent_sheets, name="parent-sheets"),
    path("parent/sheets/<int:sheet_id>/", parent_views.parent_sheet, name="parent-sheet"),
    path("parent/sheets/<int:sheet_id>/answer/", parent_views.parent_sheet_answer,
         name="parent-sheet-answer"),
    path("parent/sheets/<int:sheet_id>/document/", parent_views.parent_sheet_document,
         name="parent-sheet-document"),
    path("parent/children/<int:voucher_id>/months/", parent_views.parent_child_months,
         name="parent-child-months"),
    path("parent/children/<int:voucher_id>/statement/", parent_views.parent_statement,
         name="parent-statement"),
    path("operator/banks/", bank_views.operator_banks, name="operator-banks"),
    path("bank/", bank_views.bank_cabinet, name="bank-cabinet"),
    path("operator/cases/", verification_views.operator_cases, name="operator-cases"),
    path("operator/cases/<int:case_id>/", verification_views.operator_case, name="operator-case"),
    path("operator/unconfirmed/", attendance_views.operator_unconfirmed,
         name="operator-unconfirmed"),
    path("operator/funding/", funding_views.operator_funding, name="operator-funding"),
    path("operator/plan/", report_views.operator_plan, name="operator-plan"),
    path("edu/funding/", funding_views.edu_funding, name="edu-funding"),
    path("funding/<int:request_id>/", funding_views.funding_request, name="funding-request"),
    path("funding/<int:request_id>/next/", funding_views.funding_step, name="funding-step"),
    path("tariffs/", tariff_views.tariffs_page, name="tariffs"),
    path("edu/exclusions/", verification_views.edu_exclusions, name="edu-exclusions"),
    path("edu/exclusions/<int:case_id>/exclude/", verification_views.edu_exclude,
         name="edu-exclude"),
]

# The admin's own sign-in is the site's (the same lockout and audit trail); no admin at all when
# the deployment names no path for it.
admin.site.login = signin_views.SignIn.as_view()  # type: ignore[method-assign,assignment]
if settings.ADMIN_PATH:
    urlpatterns.append(path(settings.ADMIN_PATH, admin.site.urls))
