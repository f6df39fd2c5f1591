from plumbing.serve import serve
from services.scheduling.bootstrap import Settings, build

settings = Settings()
serve(build(settings), settings)
