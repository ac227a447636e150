"""Canonical URLs: one article, one URL, one id."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "hsa_", "ga_")
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "mkt_tok", "_ga", "_gl", "ref", "ref_src",
    "cmpid", "ocid", "smid", "sr_share", "spm", "at_medium", "at_campaign", "xtor", "ito", "icid", "ns_mchannel",
    "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "soc_src", "soc_trk", "rss", "feed", "cmp", "wt_mc",
    "__twitter_impression", "s_cid", "src", "share",
})


def canonicalize_url(url: str) -> str:
    """Strip tracking parameters, fragments, ``www.``/``m.`` and trailing slashes; sort the query.

    The scheme is normalised to https so that http and https copies of a page share an id.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in ("www.", "m.", "amp."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
    port = parts.port
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PREFIXES) and k.lower() not in TRACKING_PARAMS
    ]
    path = parts.path or "/"
    while "//" in path:
        path = path.replace("//", "/")
    if len(path) > 1:
        path = path.rstrip("/")
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))
