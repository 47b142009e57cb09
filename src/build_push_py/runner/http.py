"""One HTTP request and its answer, whatever its status, for the runner's services (the
artifact service, the job's OIDC token) and the services their tokens go to.

A redirect is never followed: urllib would repeat the request, credentials included,
wherever a 3xx points; the 3xx is the answer. The proxies are the step's (``proxies``), or
those of the process's environment as for any urllib client. urllib.request, http.client and
ssl are imported by the first request: a run that asks nothing imports none of them.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # their names in lower case
    body: bytes


Send = Callable[[Request], Response]


class NotHttp(ValueError):
    """A URL that is not http or https, not sent (urllib would open ``file:`` ones)."""


def _variable(env: Mapping[str, str], name: str) -> str:
    """``name`` or, when it is not set at all, its capitals: urllib's reading (a set but
    empty lower-case variable turns the setting off)."""
    return env[name] if name in env else env.get(name.upper(), "")


def proxies(url: str, env: Mapping[str, str]) -> dict[str, str]:
    """The proxies (scheme: proxy URL) the step's ``env`` gives for reaching ``url``:
    ``http_proxy`` and ``https_proxy`` (or ``HTTP_PROXY``, ``HTTPS_PROXY``), none when
    ``no_proxy`` (``NO_PROXY``) names the URL's host as urllib.request's
    ``proxy_bypass_environment`` reads it: ``*``, a host, a domain (with or without a
    leading dot), each with or without a port."""
    found = {
        scheme: proxy
        for scheme in ("http", "https")
        if (proxy := _variable(env, f"{scheme}_proxy"))
    }
    no_proxy = _variable(env, "no_proxy")
    if found and no_proxy:
        import urllib.request  # noqa: PLC0415 - http.client and ssl: only a run that asks

        host = urllib.parse.urlsplit(url).netloc.rpartition("@")[2]  # host[:port], as urllib's
        # the function is not in typeshed; given the mapping, it does not read os.environ
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if bypass(host, {"no": no_proxy}):
            return {}
    return found


def sender(proxies: Mapping[str, str] | None = None, *, timeout: float) -> Send:
    """Send a request with urllib, through ``proxies`` (none when empty) or, when None, those
    of the process's environment; a redirect is not followed. Raises ``NotHttp`` for a URL
    that is not http or https (the text never quotes it), ``OSError`` or
    ``http.client.HTTPException`` when no answer comes."""
    import urllib.error  # noqa: PLC0415 - see the module's docstring
    import urllib.request  # noqa: PLC0415

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    handlers: list[urllib.request.BaseHandler] = [NoRedirect()]
    if proxies is not None:
        handlers.append(urllib.request.ProxyHandler(dict(proxies)))
    director = urllib.request.build_opener(*handlers)

    def send(request: Request) -> Response:
        if urllib.parse.urlsplit(request.url).scheme not in ("http", "https"):
            raise NotHttp("the URL is not http or https")
        # S310: the scheme is checked just above.
        prepared = urllib.request.Request(  # noqa: S310
            request.url,
            data=request.body if request.method != "GET" else None,
            headers=dict(request.headers),
            method=request.method,
        )
        try:
            with director.open(prepared, timeout=timeout) as answer:
                return _response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            with error:
                return _response(error.code, error.headers, error.read())

    return send


def _response(status: int, headers: Any, body: bytes) -> Response:
    return Response(status, {name.lower(): value for name, value in headers.items()}, body)
