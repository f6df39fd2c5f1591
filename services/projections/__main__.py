from plumbing.serve import serve
from services.projections.bootstrap import Settings, build

settings = Settings()
serve(build(settings), settings)
