# A JupyterHub on this machine for trying the class path (tests/test_hub.py runs it): students log
# in with any password, each gets a single-user JupyterLab started from the hub's environment
# (.venv-hub, the "single-user image": jupyterhub, nbgitpuller and the course), with a home folder
# of its own under HUB_HOMES. Everything listens on 127.0.0.1 only. NOT for a real class: the dummy
# login and the spawner (no system users, no isolation) are JupyterHub's testing tools.
#
#   HUB_STATE=/tmp/hub HUB_HOMES=/tmp/hub/homes HUB_PORT=8000 \
#       .venv-hub/bin/jupyterhub -f tools/hub/jupyterhub_config.py
#
# Settings from the environment: HUB_STATE (database, cookie secret), HUB_HOMES, HUB_PORT (the
# address students open), HUB_INTERNAL_PORT and HUB_PROXY_API_PORT (the hub's and the proxy's API),
# HUB_USERS (comma-separated; default alice,bob).
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)

state = Path(os.environ["HUB_STATE"])
here = Path(__file__).resolve().parent
venv_bin = Path(sys.executable).parent  # the hub's own environment is the single-user image

c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ.get('HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("HUB_INTERNAL_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(here / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True

c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = set(os.environ.get("HUB_USERS", "alice,bob").split(","))

c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: needs no system users
c.SimpleLocalProcessSpawner.home_dir_template = str(Path(os.environ.get("HUB_HOMES", state / "homes")) / "{username}")
c.Spawner.cmd = [str(venv_bin / "jupyterhub-singleuser")]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = c.Spawner.http_timeout = 180
c.Spawner.environment = {"NBGITPULLER_APP": "lab", "PATH": f"{venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
if os.geteuid() == 0:  # root in a container: Jupyter refuses to run as root without this
    c.Spawner.args = ["--allow-root"]
