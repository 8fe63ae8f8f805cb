"""Serve a GGUF model with llama.cpp and print the ``evaluate.py --model openai:...`` line;
see ``.venv/bin/python scripts/serve_llm.py --help``.

Exit status: 0 stopped by Ctrl-C (or --check), 1 the server died, 2 a user mistake.
"""

import sys

from benchmark.llm_server.cli import main

if __name__ == "__main__":
    sys.exit(main())
