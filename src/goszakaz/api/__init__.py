"""The JSON API of banks' and preschools' own systems (django-ninja): tokens, idempotent writes, routers."""
