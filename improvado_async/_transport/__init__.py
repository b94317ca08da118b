"""HTTP transport: the aiohttp session, retries, authentication, query rendering and logging."""
