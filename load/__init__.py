"""The load and soak runs (issue 19): `make load`, `make soak`."""
