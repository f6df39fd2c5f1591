from plumbing.serve import serve
from services.media.bootstrap import Settings, build

settings = Settings()
serve(build(settings), settings)
