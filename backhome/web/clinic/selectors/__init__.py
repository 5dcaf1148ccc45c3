"""The clinic's reads, one module per page (each runs a fixed number of queries, which tests count):

- ``patient_rows``: a patient's numbers (adherence, pain, alerts), shared by the list, the patient page,
  the CSV export and the API;
- ``patient_list``: ``/clinic/``; ``patient_page`` and ``timeline``: ``/clinic/patients/<id>/``;
- ``invitations``: ``/clinic/invitations/`` and the join pages; ``clinicians``: ``/clinic/clinicians/``;
  ``audit_log``: ``/clinic/audit/``.

The programme editor's reads are ``clinic.editor.page`` and ``clinic.editor.changes``.
"""
