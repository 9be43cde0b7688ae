"""The API object: the banks' and the preschools' routers; OpenAPI at /api/docs."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from goszakaz.api.auth import TokenThrottled, declare_refusals
from goszakaz.api.bank import router as bank_router
from goszakaz.api.errors import install
from goszakaz.api.preschool import router as preschool_router

api = NinjaAPI(title="goszakaz API", version="1", urls_namespace="api")
install(api)  # 401 and 422 in the declared Error shape
api.add_router("/bank/v1", bank_router)
api.add_router("/preschool/v1", preschool_router)
declare_refusals(api)


@api.exception_handler(TokenThrottled)
def throttled(request: HttpRequest, exc: TokenThrottled) -> HttpResponse:
    """429 in the reader's language, with Retry-After."""
    response = api.create_response(request, {"detail": _(
        "Too many unknown tokens from this address. Try again in %(seconds)d seconds.")
        % {"seconds": exc.wait}}, status=429)
    response["Retry-After"] = str(exc.wait)
    return response
