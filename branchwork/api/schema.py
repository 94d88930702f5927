"""OpenAPI schema generation: our /api/v1/ only.

Wagtail's admin mounts its own DRF views under /admin/api/; they are internal to the back office
and not part of the public, stable API, so they are kept out of the schema.
"""

API_PREFIX = "/api/v1/"


def only_public_api(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]
