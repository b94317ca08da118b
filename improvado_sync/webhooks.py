"""Webhook verification for blocking code: the pure functions of :mod:`improvado_async.webhooks`.

``sign``, ``verify``, ``parse_event`` and ``challenge_response`` do no I/O, so they serve Flask,
Django or any WSGI app as they are. ``WebhookReceiver`` (aiohttp) is re-exported too: every public
name of :mod:`improvado_async.webhooks`, so the two modules cannot drift apart.
"""

from improvado_async.webhooks import *  # noqa: F403
from improvado_async.webhooks import __all__ as __all__
