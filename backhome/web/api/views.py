"""The personal access tokens page (``/account/tokens/``): thin, the services make and revoke tokens.

Only an account may have tokens: a guest is sent to sign up or log in. The new token's secret is shown
once, on the answer to the form that made it, and never again.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from backhome.web.api import selectors, services
from backhome.web.api.forms import TokenForm
from backhome.web.clinic.permissions import clinician_membership


def _page(request: HttpRequest, form: TokenForm, *, secret: str = "", status: int = 200) -> HttpResponse:
    rows = [(row, selectors.token_state(row)) for row in selectors.tokens_of(request.user)]
    return render(request, "api/tokens.html", {"form": form, "rows": rows, "secret": secret}, status=status)


@never_cache
@csrf_protect
@sensitive_variables("secret")
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    clinician = clinician_membership(request.user) is not None
    if request.method == "POST":
        form = TokenForm(request.POST, clinician=clinician)
        if form.is_valid():
            try:
                _, secret = services.token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_in_days=form.expires_in_days(),
                    clinician=clinician,
                )
            except services.TokenError as problem:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
            else:
                return _page(request, TokenForm(clinician=clinician), secret=secret)
        return _page(request, form, status=400)
    return _page(request, TokenForm(clinician=clinician))


@never_cache
@csrf_protect
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login("/account/tokens/")
    if services.token_revoke(user=request.user, token_id=token_id) is None:
        raise Http404("no such token")
    return redirect("tokens:list")
