"""Parses a feed and prints what it found as JSON; the C# tests assert on it.

Atom and RSS go through feedparser (Debian's python3-feedparser), the parser feed readers are measured
against: `bozo` is set on any error. JSON Feed, which that feedparser version predates, is parsed with
the strict json module and validated against the JSON Feed 1.1 schema beside this file."""
import json
import sys

import jsonschema

kind, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()

if kind == "json":
    try:
        document = json.loads(data)
        jsonschema.validate(document, json.load(open(sys.argv[3])), format_checker=jsonschema.FormatChecker())
        error = None
    except (ValueError, jsonschema.ValidationError) as e:
        document, error = {}, str(e)
    result = {
        "bozo": error is not None,
        "error": error or "",
        "version": "json11" if document.get("version") == "https://jsonfeed.org/version/1.1" else None,
        "title": document.get("title"),
        "links": [{"rel": "next", "href": document["next_url"]}] if "next_url" in document else [],
        "entries": [
            {
                "id": i.get("id"),
                "title": i.get("title"),
                "link": i.get("url"),
                "summary": i.get("summary"),
                "published": i.get("date_published"),
                "author": (i.get("authors") or [{}])[0].get("name"),
                "tags": i.get("tags", []),
                "media": [{"url": i["image"], "width": None, "height": None}] if "image" in i else [],
            }
            for i in document.get("items", [])
        ],
    }
else:
    import feedparser

    parsed = feedparser.parse(data)
    result = {
        "bozo": bool(parsed.bozo),
        "error": str(parsed.get("bozo_exception", "")),
        "version": parsed.version,
        "title": parsed.feed.get("title"),
        "links": [{"rel": l.get("rel"), "href": l.get("href")} for l in parsed.feed.get("links", [])],
        "entries": [
            {
                "id": e.get("id"),
                "title": e.get("title"),
                "link": e.get("link"),
                "summary": e.get("summary"),
                "published": e.get("published"),
                "author": e.get("author"),
                "tags": [t.get("term") for t in e.get("tags", [])],
                "media": [{"url": m.get("url"), "width": m.get("width"), "height": m.get("height")} for m in e.get("media_content", [])],
            }
            for e in parsed.entries
        ],
    }
print(json.dumps(result))
