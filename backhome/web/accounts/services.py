"""Every write of the accounts app (house style: ``<entity>_<action>``, keyword-only, atomic).

An account is ``django.contrib.auth``'s ``User`` with the email address (lower case) as its username; its
data are its ``Person`` (``Person.user``). A guest's person becomes the account's at sign-up, so nothing
done as a guest is lost.
"""

from __future__ import annotations

import enum

from axes import utils as axes_utils
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.dispatch import Signal

from backhome.web.accounts.selectors import normalise_email, person_has_data
from backhome.web.errors import Conflict
from backhome.web.patient.models import Person, Screening


class AccountExists(Conflict):
    """An account already uses this email address (whatever its case)."""

    default_code = "account_exists"

    def __init__(self) -> None:
        super().__init__(
            "An account already uses this email address.",
            fields=[("email", "An account already uses this email address.")],
        )


class DeleteRefused(Conflict):
    """Deleting would break records that other people's care depends on (nothing was deleted)."""

    default_code = "delete_refused"

    def __init__(self) -> None:
        super().__init__(
            "This account is linked to records a clinician keeps about other people, so it cannot be "
            "deleted here. Please ask the clinic to delete it. Nothing has been deleted."
        )


class LoginOutcome(enum.StrEnum):
    """What happened to the browser's guest answers when someone logged in."""

    NOTHING = "nothing"  # no guest answers on this device (or they were already the account's)
    MOVED = "moved"  # the account had none: the guest's answers are now the account's
    #: Both had answers: the account's are kept and the guest's deleted (two programmes are not merged).
    GUEST_DELETED = "guest_deleted"
    #: As GUEST_DELETED, but the guest's answers had an emergency result: it and its lock go to the account.
    GUEST_DELETED_LOCKED = "guest_deleted_locked"


def account_create(*, email: str, password: str, guest: Person | None) -> tuple[User, Person]:
    """A new account for ``email``; the guest's person (if any, and not already an account's) becomes its
    person, with everything done as a guest. The password must already have passed the validators."""
    username = normalise_email(email)
    try:
        with transaction.atomic():
            if User.objects.filter(username__iexact=username).exists():
                raise AccountExists()
            user = User.objects.create_user(username=username, email=username, password=password)
            person = None
            if guest is not None:
                person = Person.objects.select_for_update().filter(pk=guest.pk, user__isnull=True).first()
            if person is None:
                person = Person.objects.create(user=user)
            else:
                person.user = user
                person.save(update_fields=["user"])
            return user, person
    except IntegrityError as error:  # two sign-ups for one address at once
        raise AccountExists() from error


def account_person_ensure(*, user: User) -> Person:
    """The account's person, made if it has none (an account made outside sign-up, e.g. a clinician's)."""
    try:
        with transaction.atomic():
            person, _ = Person.objects.get_or_create(user_id=user.pk)
            return person
    except IntegrityError:  # made by a request running at the same time
        return Person.objects.get(user_id=user.pk)


def account_login(*, user: User, guest: Person | None) -> tuple[Person, LoginOutcome]:
    """The person a browser becomes when it logs in to ``user``'s account, and what happened to the
    browser's guest answers (``guest``: the browser's person before logging in).

    - No guest answers: the account's person (an empty guest person is deleted; it held nothing).
    - Guest answers and an account with none: the guest's person becomes the account's.
    - Both have answers: the account's are kept and the guest's person is deleted with all its data (two
      plans are not merged; left in place, the guest's answers would outlive a later "delete my account").
      If the guest's answers ended in an emergency result and the account is not locked, that result and
      its lock are copied to the account first: a warning sign given on this device is never left behind.
      A guest person another record protects (e.g. a clinic's) is left as it was.
    """
    with transaction.atomic():
        mine = Person.objects.select_for_update().filter(user_id=user.pk).first()
        if guest is not None:
            guest = Person.objects.select_for_update().filter(pk=guest.pk, user__isnull=True).first()
        if guest is None or (mine is not None and guest.pk == mine.pk):
            if mine is None:
                mine = Person.objects.create(user=user)
            return mine, LoginOutcome.NOTHING
        guest_has_data = person_has_data(guest)
        if mine is not None and not guest_has_data:
            guest.delete()
            return mine, LoginOutcome.NOTHING
        if mine is not None and not person_has_data(mine):
            mine.delete()
            mine = None
        if mine is None:
            guest.user = user
            guest.save(update_fields=["user"])
            return guest, LoginOutcome.MOVED if guest_has_data else LoginOutcome.NOTHING
        outcome = LoginOutcome.GUEST_DELETED
        if guest.locked and not mine.locked:
            _copy_lock(source=guest, target=mine)
            outcome = LoginOutcome.GUEST_DELETED_LOCKED
        try:
            with transaction.atomic():
                guest.delete()
        except (ProtectedError, RestrictedError):
            pass  # kept: the lock (if any) is already the account's, and a clinic still needs the record
        return mine, outcome


def _copy_lock(*, source: Person, target: Person) -> None:
    """Lock ``target`` with a copy of ``source``'s emergency result (``source`` keeps its own)."""
    copy = None
    original = source.emergency_screening
    if original is not None:
        copy = Screening.objects.create(
            person=target,
            answers=original.answers,
            intake=original.intake,
            decision=original.decision,
            tier=original.tier,
            decided_at=original.decided_at,
        )
    target.emergency_locked_at = source.emergency_locked_at
    target.emergency_screening = copy
    target.save(update_fields=["emergency_locked_at", "emergency_screening"])


def account_log_out_everywhere(*, user: User, password: str) -> int:
    """End every session of the account and revoke its API tokens; how many tokens were live.

    The password (already checked) is hashed again with a new salt: Django ties each session to the
    password's hash, so every session made before no longer lets anyone in, and the password stays the
    same for its owner."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        return account_credentials_renewed(user=user)


#: Sent when an account's credentials are renewed (a password reset, "log out everywhere"), with ``user``:
#: what other apps granted with the old ones ends (the API revokes its tokens: ``ApiConfig.ready``).
#: A signal, so that accounts never imports the apps above it.
credentials_renewed = Signal()


def account_credentials_renewed(*, user: User) -> int:
    """Tell the other apps the account's credentials were renewed; how many grants (API tokens) ended."""
    ended = 0
    for _receiver, count in credentials_renewed.send(sender=User, user=user):
        ended += count if isinstance(count, int) else 0
    return ended


def login_pause_lift(*, email: str) -> None:
    """Forget the wrong passwords counted against this email (its owner has just set a new password, or
    the account is deleted). What was counted against a client address stays."""
    axes_utils.reset(username=normalise_email(email))


def person_delete(*, person: Person | None, user: User | None) -> None:
    """Delete a person and all their data, and their account if they have one.

    The rows go the way their model's foreign key says: every model that holds the person's own data
    cascades. A model that keeps its row on purpose when the person goes (``on_delete=SET_NULL``: a
    clinic's audit log, a used invitation) keeps it, no longer linked to anyone. Raises
    ``DeleteRefused`` (and deletes nothing) if another record protects a row, e.g. a clinician account
    that cleared someone's emergency lock.
    """
    try:
        with transaction.atomic():
            if person is None and user is not None:
                person = Person.objects.filter(user_id=user.pk).first()
            if person is not None:
                person.delete()
            if user is not None:
                user.delete()
        if user is not None:
            login_pause_lift(email=user.get_username())
    except (ProtectedError, RestrictedError) as error:
        raise DeleteRefused() from error
