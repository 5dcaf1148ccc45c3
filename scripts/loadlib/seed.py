"""Returning patients for a load run: people screened on an earlier day, each with a browser session.

Run in a process of its own, with the server's environment, after the server has migrated the database
(``python -m scripts.loadlib.seed N``): creates N guest people, Dana's and Walt's answers in turn,
decided through the same services as the web screening, and prints one JSON list of
``{"person": id, "key": sessionid}``. A returning patient's phone starts its day with that cookie.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections, transaction

    from backhome.web.patient.services import SESSION_KEY
    from tests.integration.people import person_with_plan
    from tests.integration.screening_helpers import DANA_WEB, WALT_WEB

    out = []
    with transaction.atomic():  # one commit: seeding is set-up, not part of the load
        for number in range(int(sys.argv[1])):
            person, _ = person_with_plan(DANA_WEB if number % 2 == 0 else WALT_WEB)
            # Saved in the database only; the server's cached_db sessions read it from there.
            session = SessionStore()
            session[SESSION_KEY] = person.pk
            session.save()
            out.append({"person": person.pk, "key": session.session_key})
    connections.close_all()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
