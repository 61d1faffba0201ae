"""Serves the course's JupyterLab 3.6 front end (built by build.sh) with Debian's jupyter-server 1.23
and jupyterlab-server 2.16: the /lab page, its settings, themes, workspaces and translations APIs
(jupyterlab_server.LabServerApp), and the kernels, sessions and contents APIs (jupyter_server).

    /usr/bin/python3 environment/jupyterlab/serve.py --build BUILD_DIR [jupyter-server options...]

BUILD_DIR is the folder build.sh printed. Every other option goes to the server, e.g.
--ServerApp.ip=127.0.0.1 --ServerApp.port=8888 --ServerApp.root_dir=notebooks. Token authentication
is jupyter-server's default: it prints the URL with its token. No terminals: the course has none.
"""
import json
import os
import sys

from jupyter_core.paths import jupyter_config_dir
from jupyterlab_server import LabServerApp

MATHJAX = "/usr/share/javascript/mathjax"  # Debian's libjs-mathjax (the classic Notebook's dependency)


def _build_dir(argv):
    """Takes --build DIR (or --build=DIR) out of argv and checks it is a build.sh build."""
    for i, arg in enumerate(argv):
        if arg == "--build" or arg.startswith("--build="):
            value = arg.split("=", 1)[1] if "=" in arg else (argv[i + 1] if i + 1 < len(argv) else "")
            del argv[i : i + (1 if "=" in arg else 2)]
            break
    else:
        value = os.environ.get("GPTCOURSE_LAB_BUILD", "")
    if not value:
        sys.exit("serve.py: --build BUILD_DIR is required (the folder environment/jupyterlab/build.sh prints)")
    build = os.path.abspath(value)
    info = os.path.join(build, "build-info.json")
    if not (os.path.isfile(info) and os.path.isfile(os.path.join(build, "static", "bundle.js"))):
        sys.exit("serve.py: '%s' is not a finished JupyterLab build (no build-info.json or static/bundle.js); "
                 "run environment/jupyterlab/build.sh" % value)
    return build


def _version(build):
    with open(os.path.join(build, "build-info.json"), encoding="utf-8") as f:
        return json.load(f)["jupyterlab"]


def make_app(build):
    """The LabServerApp class for one build folder."""

    class CourseLab(LabServerApp):
        name = "gptcourse_lab"
        extension_url = "/lab"
        default_url = "/lab"
        load_other_extensions = False
        app_name = "JupyterLab"
        app_version = _version(build)
        static_dir = os.path.join(build, "static")
        templates_dir = os.path.join(build, "templates")
        schemas_dir = os.path.join(build, "schemas")
        themes_dir = os.path.join(build, "themes")
        app_settings_dir = os.path.join(build, "settings")
        # Where a JupyterLab keeps them, so that a student's settings and layout survive a restart.
        user_settings_dir = os.environ.get("JUPYTERLAB_SETTINGS_DIR") or os.path.join(
            jupyter_config_dir(), "lab", "user-settings")
        workspaces_dir = os.environ.get("JUPYTERLAB_WORKSPACES_DIR") or os.path.join(
            jupyter_config_dir(), "lab", "workspaces")

        def initialize_settings(self):
            super().initialize_settings()
            settings = self.serverapp.web_app.settings
            settings["terminals_available"] = False
            # Math renders from Debian's MathJax when it is installed, not from a CDN.
            if os.path.isfile(os.path.join(MATHJAX, "MathJax.js")) and not settings.get("mathjax_url"):
                settings["mathjax_url"] = self.static_url_prefix + "mathjax/MathJax.js"

        def initialize_handlers(self):
            super().initialize_handlers()
            if os.path.isdir(MATHJAX):
                from jupyter_server.base.handlers import FileFindHandler

                self.handlers.append((self.static_url_prefix + "mathjax/(.*)", FileFindHandler, {"path": MATHJAX}))

    return CourseLab


def main(argv):
    build = _build_dir(argv)
    # The front end has no terminal; the server offers none either (a shell in the browser is more
    # than the course needs and one more thing a stolen token would open).
    if not any(a.startswith("--ServerApp.terminals_enabled") for a in argv):
        argv = ["--ServerApp.terminals_enabled=False"] + argv
    app = make_app(build)
    globals()["CourseLab"] = app
    app.launch_instance(argv=argv)


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": globals()["CourseLab"]}]


if __name__ == "__main__":
    main(sys.argv[1:])
