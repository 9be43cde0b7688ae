"""The JSON API of the platform (django-ninja); OpenAPI at /api/docs."""

from ninja import NinjaAPI

from goszakaz.attendance.api import router as preschool_router
from goszakaz.banking.api import router as bank_router

api = NinjaAPI(title="goszakaz API", version="1", urls_namespace="api")
api.add_router("/bank/v1", bank_router)
api.add_router("/preschool/v1", preschool_router)
