from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "backhome.web.api"
    label = "api"
    verbose_name = "JSON API and access tokens"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A password reset or "log out everywhere" ends every API token of the account.
        from backhome.web.accounts.services import credentials_renewed
        from backhome.web.api.services import tokens_revoke_on_renewal

        credentials_renewed.connect(tokens_revoke_on_renewal, dispatch_uid="api-tokens-revoke")
