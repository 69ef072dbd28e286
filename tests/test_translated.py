"""Templates translated when compiled (poll/web/translated.py) say what Jinja's i18n extension
would say at render: the same text, the same escaping of the variables, `%%` as `%`."""

from __future__ import annotations

from jinja2 import DictLoader, Environment

from poll.i18n import translations
from poll.web.translated import TranslatedEnvironment

TEMPLATE = """<p title="{{ _('Results') }}">{{ _("Round %(round)s", round=r) }}</p>
{{ _("Group: %(name)s", name=name) }} {{ _("100%% sure") }} {{ _(variable) }}
{{ ngettext("%(num)s vote", "%(num)s votes", 2) }}
{{ ngettext("%(num)s vote", "%(num)s votes", n) }}
{% set page = {"x": _("Choose your answer"), "y": _("Round %(round)s", round="{round}")} %}
{{ page|tojson }}"""


def render(env: Environment, lang: str) -> str:
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env.get_template("t.html").render(r=2, name="<b>&", variable="Results", n=1)


def test_translated_when_compiled_says_what_the_extension_says_at_render() -> None:
    for lang in ("en", "nl"):
        options = {"loader": DictLoader({"t.html": TEMPLATE}), "autoescape": True,
                   "extensions": ["jinja2.ext.i18n"]}
        folded = render(TranslatedEnvironment(translations(lang), **options), lang)
        assert folded == render(Environment(**options), lang)
        assert "&lt;b&gt;&amp;" in folded and "100% sure" in folded
    assert "Ronde 2" in folded, folded
    # and the literal strings are in the compiled template, not looked up when it renders
    source = TranslatedEnvironment(translations("nl"), **options).compile(TEMPLATE, raw=True)
    assert "Ronde %(round)s" in source and "Kies je antwoord" in source, source
