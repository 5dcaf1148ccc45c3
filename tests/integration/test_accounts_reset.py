"""Password reset by email (Django's views, our words), and the settings accounts read: the email
backend, Argon2, and every BACKHOME_* variable documented in docs/web.md."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from backhome.web.accounts import services

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
User = get_user_model()
PASSWORD = "correct horse battery"
NEW_PASSWORD = "a new and quite long one"


@pytest.fixture
def dana() -> object:
    user, _ = services.account_create(email="dana@example.com", password=PASSWORD, guest=None)
    return user


def reset_link(message: mail.EmailMessage) -> str:
    found = re.search(r"http://testserver(/account/password-reset/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_a_reset_email_is_sent_in_our_words(dana: object, client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "DANA@example.com"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@example.com"]
    assert message.subject == "Choose a new password for backhome"
    assert "If you did not ask for this, you can ignore this email." in message.body
    assert "&#x27;" not in message.body and "&amp;" not in message.body
    assert reset_link(message)
    assert "Check your email" in client.get(reverse("accounts:password_reset_done")).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_bad_address_is_a_400_and_sends_nothing(client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "not an address"})
    assert response.status_code == 400
    assert "Please type a whole email address" in response.content.decode()
    assert mail.outbox == []


def test_the_link_sets_a_new_password_once_and_lifts_a_login_pause(dana: object, client: Client) -> None:
    for attempt in range(10):  # from ten addresses: only the email's count reaches the limit
        Client(REMOTE_ADDR=f"198.51.100.{attempt}").post(
            reverse("accounts:login"), {"email": "dana@example.com", "password": "wrong password"}
        )
    paused = Client().post(reverse("accounts:login"), {"email": "dana@example.com", "password": PASSWORD})
    assert paused.status_code == 429
    client.post(reverse("accounts:password_reset"), {"email": "dana@example.com"})
    link = reset_link(mail.outbox[0])

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    assert 'autocomplete="new-password"' in form_page.content.decode()

    too_short = client.post(set_url, {"new_password1": "short"})
    assert too_short.status_code == 400 and "Please use at least 10 characters." in too_short.content.decode()

    done = client.post(set_url, {"new_password1": NEW_PASSWORD})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert (
        Client()
        .post(reverse("accounts:login"), {"email": "dana@example.com", "password": NEW_PASSWORD})
        .status_code
        == 302
    )
    again = client.get(link, follow=True).content.decode()
    assert "This link does not work any more" in again


def test_a_changed_password_logs_out_the_other_devices(dana: object) -> None:
    other_device = Client()
    other_device.post(reverse("accounts:login"), {"email": "dana@example.com", "password": PASSWORD})
    assert "_auth_user_id" in other_device.session
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "dana@example.com"})
    set_url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD})
    other_device.get(reverse("accounts:account"))
    assert "_auth_user_id" not in other_device.session


# --------------------------------------------------------------------------- settings


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2_first() -> None:
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user, _ = services.account_create(email="walt@example.com", password=PASSWORD, guest=None)
    assert user.password.startswith("argon2$argon2id$")


def settings_with(env: dict[str, str]) -> dict[str, object]:
    """The email settings as a fresh interpreter reads them from ``env``."""
    code = (
        "import json, backhome.web.config.settings as s; print(json.dumps({k: str(getattr(s, k)) for k in "
        "['EMAIL_BACKEND', 'EMAIL_FILE_PATH', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', "
        "'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', 'EMAIL_USE_SSL', 'DEFAULT_FROM_EMAIL', 'DATA_DIR']}))"
    )
    import json
    import os

    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BACKHOME_EMAIL") and k != "BACKHOME_DEFAULT_FROM_EMAIL"
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    loaded: dict[str, object] = json.loads(result.stdout)
    return loaded


def test_emails_are_files_in_the_data_folder_by_default() -> None:
    values = settings_with({})
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["EMAIL_FILE_PATH"] == str(Path(str(values["DATA_DIR"])) / "mail")


def test_smtp_is_set_from_the_environment() -> None:
    values = settings_with(
        {
            "BACKHOME_EMAIL_BACKEND": "smtp",
            "BACKHOME_EMAIL_HOST": "smtp.clinic.example",
            "BACKHOME_EMAIL_PORT": "465",
            "BACKHOME_EMAIL_USER": "backhome",
            "BACKHOME_EMAIL_PASSWORD": "pw",
            "BACKHOME_EMAIL_USE_SSL": "on",
            "BACKHOME_DEFAULT_FROM_EMAIL": "backhome <care@clinic.example>",
        }
    )
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["EMAIL_HOST"] == "smtp.clinic.example" and values["EMAIL_PORT"] == "465"
    assert values["EMAIL_HOST_USER"] == "backhome" and values["EMAIL_HOST_PASSWORD"] == "pw"
    assert values["EMAIL_USE_SSL"] == "True" and values["EMAIL_USE_TLS"] == "False"
    assert values["DEFAULT_FROM_EMAIL"] == "backhome <care@clinic.example>"


def test_the_file_backend_writes_the_reset_email_into_the_data_folder(
    dana: object, client: Client, settings: object, tmp_path: Path
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_FILE_PATH = tmp_path / "mail"  # type: ignore[attr-defined]
    client.post(reverse("accounts:password_reset"), {"email": "dana@example.com"})
    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1 and "Choose a new password for backhome" in files[0].read_text()


def test_every_backhome_variable_the_settings_read_is_documented() -> None:
    source = (REPO / "backhome" / "web" / "config" / "settings.py").read_text()
    read = set(re.findall(r"\"(BACKHOME_[A-Z_]+)\"", source))
    documented = set(re.findall(r"`(BACKHOME_[A-Z_]+)`", (REPO / "docs" / "web.md").read_text()))
    assert read and read <= documented, sorted(read - documented)
