from __future__ import annotations

import os
import warnings

from django.core.asgi import get_asgi_application

from phasebook.warmup import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phasebook.settings")

# WhiteNoise serves the admin's static files through a synchronous iterator; Django runs it
# in a worker thread under ASGI, which is fine for a few small assets.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators", category=Warning
)

application = get_asgi_application()
warm_up()
