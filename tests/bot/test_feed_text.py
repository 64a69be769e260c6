"""A feed's titles and summaries become plain text by the type the feed gives each field: markup
is taken off HTML and XHTML fields only, so bracketed words in a text title stay."""

from __future__ import annotations

from bot.feeds import parse_feed


def rss_item(title: str, description: str = "") -> bytes:
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
            f'<title>{title}</title><link>https://x.test/1</link><description>{description}</description>'
            '</item></channel></rss>').encode()


def atom_entry(title: str, summary: str) -> bytes:
    return ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id>'
            f'{title}{summary}</entry></feed>').encode()


def test_an_rss_title_is_text_and_keeps_its_angle_brackets():
    [article] = parse_feed("f", rss_item("Moon Ga Young &amp; &lt;Our Team&gt; Visit A Shelter"))
    assert article.title == "Moon Ga Young & <Our Team> Visit A Shelter"
    [korean] = parse_feed("f", rss_item("&lt;사랑의 이해&gt; 마지막 회"))
    assert korean.title == "<사랑의 이해> 마지막 회"


def test_an_rss_description_is_html_its_tags_go_and_its_escaped_brackets_stay():
    [article] = parse_feed("f", rss_item("t", "&lt;p&gt;Cast of &amp;lt;Our Team&amp;gt; &lt;b&gt;smiles&lt;/b&gt;&lt;/p&gt;"))
    assert article.summary == "Cast of <Our Team> smiles"


def test_atom_fields_follow_their_declared_type():
    body = atom_entry('<title>A &lt;Time&gt; B</title>', '<summary type="html">&lt;i&gt;x&lt;/i&gt; &amp;lt;Big&amp;gt;</summary>')
    [article] = parse_feed("f", body)
    assert (article.title, article.summary) == ("A <Time> B", "x <Big>")
    xhtml = atom_entry('<title type="html">&lt;b&gt;Bold&lt;/b&gt; news</title>',
                       '<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><b>Big</b> &lt;Y&gt;</div></summary>')
    [article] = parse_feed("f", xhtml)
    assert (article.title, article.summary) == ("Bold news", "Big <Y>")
