from gateway.bootstrap import Settings, build
from plumbing.serve import serve

settings = Settings()
serve(build(settings), settings)
