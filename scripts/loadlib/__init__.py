"""The load test and the SIGKILL fault test (``scripts/load_test.py``): the server, the simulated
patients, and the count of acknowledged writes in the database afterwards."""
