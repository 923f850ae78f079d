"""Article bodies: Markdown rendered on the server and sanitised before it is stored.

Editors write Markdown; what any reader's browser gets is the rendered HTML
cleaned by nh3 (the Ammonia sanitiser) down to an allow-list of text tags, so a
body can carry no script, style, event handler, frame or foreign URL scheme.
"""

import html

import markdown
import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "b",
        "i",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
EXTENSIONS = ["tables", "fenced_code", "sane_lists"]


def render_body(source: str) -> str:
    """The sanitised HTML of a Markdown body."""
    rendered = markdown.markdown(source or "", extensions=EXTENSIONS, output_format="html")
    return sanitise(rendered)


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(body_html: str) -> str:
    """The words of a rendered body without markup, for excerpts and search."""
    spaced = body_html.replace("</p>", "</p>\n").replace("</li>", "</li>\n")
    text = html.unescape(nh3.clean(spaced, tags=set()))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
