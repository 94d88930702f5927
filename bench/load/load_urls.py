"""The project's URLs behind one trivial signed-in view: the floor of the load benchmark, served by
the same server, through the same middleware (sessions, authentication, CSP, …), doing nothing."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from branchwork import urls

TRIVIAL = "__bench__/signed-in/"


@login_required
def signed_in(request):
    return HttpResponse("ok")


urlpatterns = [path(TRIVIAL, signed_in), *urls.urlpatterns]
