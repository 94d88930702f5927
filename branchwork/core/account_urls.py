from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from branchwork.core import otp_views
from branchwork.core.forms import LoginForm


class SiteNamed:
    """Django's account views put the request's host in `site_name`, over the site's name that
    our pages show in their title, header and footer: give the site's name back."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["site_name"] = settings.WAGTAIL_SITE_NAME
        return context


class LoginView(SiteNamed, auth_views.LoginView):
    pass


class PasswordChangeView(SiteNamed, auth_views.PasswordChangeView):
    pass


class PasswordChangeDoneView(SiteNamed, auth_views.PasswordChangeDoneView):
    pass


urlpatterns = [
    path(
        "login/",
        LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Two-step login (core.auth, core.otp_views); core.auth.OTP_OPEN_PREFIXES names this prefix.
    path("two-factor/", otp_views.settings_page, name="otp_settings"),
    path("two-factor/code/", otp_views.verify, name="otp_verify"),
    path("two-factor/enrol/", otp_views.enrol, name="otp_enrol"),
    path("two-factor/recovery-codes/", otp_views.recovery_codes, name="otp_recovery_codes"),
    path("two-factor/recovery-codes/new/", otp_views.recovery_codes_new, name="otp_recovery_codes_new"),
    path("two-factor/off/", otp_views.disable, name="otp_disable"),
]
