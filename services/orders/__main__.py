from plumbing.serve import serve
from services.orders.bootstrap import Settings, build

settings = Settings()
serve(build(settings), settings)
