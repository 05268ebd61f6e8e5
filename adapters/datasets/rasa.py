"""Rasa NLU training data (`nlu.yml`), import only: `- intent: x` with `examples: |` lines `- text`.

A `responses:` section, as in Rasa's domain file, gives answers: `utter_x` answers intent `x`.
"""

import re

import yaml

from adapters.datasets.rows import Limits, Problems, Row, too_many

# Entity annotations inside examples: "[New York](city)" or '[New York]{"entity": "city"}' -> "New York".
_ENTITY = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def looks_like_rasa(text: str) -> bool:
    return re.search(r"^nlu\s*:", text, re.MULTILINE) is not None


def read_rasa(text: str, limits: Limits, problems: Problems) -> list[Row]:
    if not _safe_to_load(text, limits, problems):
        return []
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        problems.add(_yaml_problem(error))
        return []
    if not isinstance(root, yaml.MappingNode):
        problems.add("line 1: expected a mapping with an `nlu:` list")
        return []
    sections = {key.value: value for key, value in root.value if isinstance(key, yaml.ScalarNode)}
    nlu = sections.get("nlu")
    if not isinstance(nlu, yaml.SequenceNode):
        problems.add("line 1: expected an `nlu:` list of `- intent:` entries")
        return []
    answers = _responses(sections.get("responses"))
    rows: list[Row] = []
    for item in nlu.value:
        fields = _mapping(item)
        intent = fields.get("intent")
        if intent is None:
            continue  # synonyms, regexes and lookup tables carry no examples
        examples = fields.get("examples")
        if not isinstance(intent, yaml.ScalarNode) or not isinstance(examples, yaml.ScalarNode):
            problems.add(f"line {item.start_mark.line + 1}: an intent needs a name and an `examples: |` block")
            continue
        rows.extend(_examples(intent.value, examples, answers.get(intent.value), problems))
        if too_many(rows, limits, problems) or problems.full:
            break
    return rows


def _safe_to_load(text: str, limits: Limits, problems: Problems) -> bool:
    """Refuse aliases (a few lines can expand to gigabytes) and deep nesting before building anything."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1 if event.start_mark is not None else 1
            if isinstance(event, yaml.AliasEvent):
                problems.add(f"line {line}: YAML aliases (*name) are not supported")
                return False
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limits.max_depth:
                    problems.add(f"line {line}: nested deeper than {limits.max_depth} levels")
                    return False
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as error:
        problems.add(_yaml_problem(error))
        return False
    return True


def _examples(intent: str, node: yaml.ScalarNode, answer: str | None, problems: Problems) -> list[Row]:
    # A block scalar (`|`) starts on the line after its indicator; other styles start where they stand.
    first = node.start_mark.line + (2 if node.style in ("|", ">") else 1)
    rows: list[Row] = []
    for offset, line in enumerate(str(node.value).splitlines()):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("-"):
            problems.add(f"line {first + offset}: each example must start with `- `")
            continue
        text = _ENTITY.sub(r"\1", stripped[1:].strip())
        rows.append(Row(first + offset, text, intent, answer))
    return rows


def _responses(node: yaml.Node | None) -> dict[str, str]:
    """`responses: {utter_x: [{text: ...}]}` -> {x: first text}."""
    answers: dict[str, str] = {}
    for name, value in _mapping(node).items():
        if name.startswith("utter_") and isinstance(value, yaml.SequenceNode) and value.value:
            text = _mapping(value.value[0]).get("text")
            if isinstance(text, yaml.ScalarNode):
                answers[name.removeprefix("utter_")] = str(text.value)
    return answers


def _mapping(node: yaml.Node | None) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}" if mark is not None else "the file"
    return f"{where}: not valid YAML ({getattr(error, 'problem', None) or error})"
