"""The server process: ``python -m benchmark.llm_server.worker SETTINGS_JSON``.

Started by :class:`benchmark.llm_server.process.LlamaServer`, never by hand. It loads the
GGUF into an in-process llama.cpp server (``xllamacpp.Server``), writes one JSON line to
stdout (``{"listening": "http://127.0.0.1:PORT"}`` or ``{"error": "..."}``), then serves until
its standard input closes: the parent closes it to stop the server, and a parent that dies
closes it too, so no server outlives the process that started it. Ctrl-C is left to the
parent (it stops the server in order); SIGTERM ends the process.
"""

from __future__ import annotations

import json
import signal
import sys
from typing import Any


def build_params(settings: dict[str, Any]) -> Any:
    """``xllamacpp.CommonParams`` from the settings the parent sent."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = settings["model"]
    params.model_alias = {settings["alias"]}  # a set of names (a str would be split into characters)
    params.hostnames = [settings["host"]]
    params.port = settings["port"]
    params.n_ctx = settings["ctx"]
    params.n_parallel = settings["parallel"]
    params.cpuparams.n_threads = settings["threads"]
    params.cpuparams_batch.n_threads = settings["threads"]
    params.offline = True  # never reach a model hub
    if settings["chat_template"]:
        params.use_jinja = True  # the template is Jinja source, not a built-in format's name
        params.chat_template = settings["chat_template"]
    return params


def main(argv: list[str]) -> int:
    """Serve until stdin closes; 1 when the server cannot start."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    settings = json.loads(argv[0])
    try:
        import xllamacpp

        server = xllamacpp.Server(build_params(settings))
        address = server.listening_address
    except Exception as exc:  # report any start failure to the parent on one line
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    print(json.dumps({"listening": address}), flush=True)
    sys.stdin.read()  # until the parent closes the pipe or dies
    del server
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
