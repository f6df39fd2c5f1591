import sys

from gateway.application.tokens import WeakSigningKey
from gateway.bootstrap import Settings, build
from plumbing.logging import configure
from plumbing.serve import serve

settings = Settings()
# Before build(): a refusal to start (a weak JWT_SECRET) is logged as a JSON line like the rest.
configure(settings.service_name, settings.log_level)
try:
    app = build(settings)
except WeakSigningKey:
    sys.exit(2)  # build() has logged why; a traceback would add nothing
serve(app, settings)
