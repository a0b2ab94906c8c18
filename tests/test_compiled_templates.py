"""Templates compiled once per process (blogapp/compiled_templates.py): a second
environment reuses the code, an edited template or other syntax settings never do."""

from jinja2 import DictLoader, Environment

from blogapp.compiled_templates import ProcessBytecodeCache


def _environment(cache, templates, **settings):
    return Environment(loader=DictLoader(templates), bytecode_cache=cache, autoescape=True,
                       **settings)


def _refuse_to_compile(environment):
    def compile(*args, **kwargs):
        raise AssertionError("compiled again")

    environment.compile = compile


def test_a_second_environment_reuses_the_compiled_template():
    cache = ProcessBytecodeCache()
    first = _environment(cache, {"page.html": "<p>{{ name }}</p>"})
    assert first.get_template("page.html").render(name="<b>") == "<p>&lt;b&gt;</p>"
    second = _environment(cache, {"page.html": "<p>{{ name }}</p>"})
    _refuse_to_compile(second)
    assert second.get_template("page.html").render(name="Pod") == "<p>Pod</p>"


def test_an_edited_template_is_compiled_again():
    cache = ProcessBytecodeCache()
    _environment(cache, {"page.html": "old {{ name }}"}).get_template("page.html").render()
    edited = _environment(cache, {"page.html": "new {{ name }}"})
    assert edited.get_template("page.html").render(name="HPA") == "new HPA"


def test_other_syntax_settings_never_share_code():
    cache = ProcessBytecodeCache()
    source = {"page.html": "[[ name ]] {{ name }}"}
    assert _environment(cache, source).get_template("page.html").render(name="x") == "[[ name ]] x"
    other = _environment(cache, source, variable_start_string="[[", variable_end_string="]]")
    assert other.get_template("page.html").render(name="x") == "x {{ name }}"


def test_apps_share_one_cache(app):
    from blogapp import create_app

    other = create_app({"TESTING": True, "SECRET_KEY": "x", "SEARCH_AUTO_REBUILD": False},
                       instance_path=app.instance_path + "-other")
    assert other.jinja_env.bytecode_cache is app.jinja_env.bytecode_cache is not None
    other.extensions["search"].close()
    other.extensions["search_log"].stop()
