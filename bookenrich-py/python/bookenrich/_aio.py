"""The coroutine behind ``Enricher.enrich_async`` (imported on first use, not at ``import bookenrich``)."""

from __future__ import annotations

from typing import Any, Awaitable, Callable


async def run(start: Callable[[], Awaitable[Any]]) -> Any:
    """Starts the native run inside the running event loop and awaits it."""
    return await start()
