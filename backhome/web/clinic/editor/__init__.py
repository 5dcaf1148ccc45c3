"""The programme editor: a clinician adjusts a patient's programme within safe bounds, gives or
withdraws clearances, switches the monitoring mode and lifts an emergency lock; and what the patient is
shown afterwards. ``forms`` checks what a page posts, ``services`` writes, ``page`` reads the editor's page,
``changes`` words the changes for the patient, ``choices`` holds what the editor offers.

How a change is stored, so that ``progress.selectors.current_programme`` stays the one source of the
programme (docs/clinic-actions.md):

- **Dose** (sets, reps, hold, only inside the exercise's envelope: the core's ``Envelope.contains``): a
  ``DoseChange`` with action ``hold`` at the new dose, ``rules=["clinician"]`` and the clinician's "why"
  as its reason, starting today; the ladder (DS-02...) carries on from it.
- **Remove**: a ``DoseChange`` with action ``suspend`` (the exercise stays on the list as stopped, as a
  PM-41 suspension does; no later check-in resumes it).
- **Add**: an exercise the person's current decision does not block and that is not in the programme gets
  a new ``PlanItem`` of the current screening at the library's starting dose (the glide as a slider,
  ND-02); a stopped exercise of the programme is put back with a ``hold`` ``DoseChange`` at its dose.
- **Clearances and monitoring** are ``CareSettings`` (the core's ``Context``): changing one decides the
  programme again through the core from the same answers (a new decided ``Screening``), so the core, not
  the editor, decides what a clearance unlocks. Every later decision (a new screening, a self-check) uses
  them too (``patient.services.care_context``). A new decision starts from its own doses.
- **Unlock**: ``patient.services.person_clear_emergency_lock``.

Each change is one ``ProgrammeChange`` (who, when, before, after, why) and one ``AuditEvent``. The patient
sees the changes they have not seen yet (``changes.changes_unseen``, template
``clinic/_changes_for_patient.html``) until ``services.changes_mark_seen``.
"""
