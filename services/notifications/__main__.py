from plumbing.serve import serve
from services.notifications.bootstrap import Settings, build

settings = Settings()
serve(build(settings), settings)
