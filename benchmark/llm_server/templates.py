"""Chat templates (Jinja) passed to llama.cpp for GGUF files that ship none.

A GGUF without a ``tokenizer.chat_template`` makes llama.cpp fall back to a format that may
not be the model's; llama.cpp's built-in ``gemma`` format drops the system message, where
the benchmark's chat prompts put their instructions. The templates here keep it: a system
message leads the first user turn (Gemma has no system role).

Example:
    >>> from benchmark.llm_server.templates import chat_template
    >>> "<start_of_turn>" in chat_template("gemma")
    True
"""

from __future__ import annotations

from pathlib import Path

#: Gemma's turn format; system text (if any) leads the first user turn, as Gemma 3's own
#: template does.
GEMMA = """{{ bos_token }}
{%- set ns = namespace(prefix='') -%}
{%- for message in messages -%}
{%- if message['role'] == 'system' -%}
{%- set ns.prefix = ns.prefix + message['content'] + '\\n\\n' -%}
{%- else -%}
{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}
{{ '<start_of_turn>' + role + '\\n' + ns.prefix + (message['content'] | trim) + '<end_of_turn>\\n' }}
{%- set ns.prefix = '' -%}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}
{{ '<start_of_turn>model\\n' }}
{%- endif -%}
"""

#: Template names a serve config may give (``chat_template: gemma``).
TEMPLATES: dict[str, str] = {"gemma": GEMMA}


def chat_template(value: str, *, base: Path | None = None) -> str:
    """The Jinja source for ``value``: a name of :data:`TEMPLATES`, a ``.jinja`` file, or "" (none).

    Args:
        value: A template name, or a path to a Jinja file (relative to ``base``).
        base: Folder that relative paths are relative to (default: the working folder).

    Raises:
        ValueError: ``value`` is neither a known name nor a readable file.
    """
    if not value:
        return ""
    if value in TEMPLATES:
        return TEMPLATES[value]
    path = Path(value)
    if base is not None and not path.is_absolute():
        path = base / path
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        known = ", ".join(TEMPLATES)
        raise ValueError(
            f"chat_template {value!r} is neither a known name ({known}) nor a readable file"
        ) from None
