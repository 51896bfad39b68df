#!/bin/sh
# Runs whatever the CI job asks for, in the builder's environment.
exec "$@"
