"""The API object: the banks' and the preschools' routers; OpenAPI at /api/docs."""

from ninja import NinjaAPI

from goszakaz.api.bank import router as bank_router
from goszakaz.api.errors import install
from goszakaz.api.preschool import router as preschool_router

api = NinjaAPI(title="goszakaz API", version="1", urls_namespace="api")
install(api)  # 401 and 422 in the declared Error shape
api.add_router("/bank/v1", bank_router)
api.add_router("/preschool/v1", preschool_router)
