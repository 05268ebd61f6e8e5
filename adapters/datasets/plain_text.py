"""Plain text: `Q:`/`A:` blocks (several questions may share one answer) and `question => answer` lines."""

import re

from adapters.datasets.rows import Limits, Problems, Row, too_many

QUESTION = re.compile(r"^\s*(?:q|question)\s*[:：]\s?(.*)$", re.IGNORECASE)
ANSWER = re.compile(r"^\s*(?:a|answer)\s*[:：]\s?(.*)$", re.IGNORECASE)
ARROW = "=>"


def looks_like_blocks(lines: list[str]) -> bool:
    return any(QUESTION.match(line) for line in lines[:200])


def looks_like_arrows(lines: list[str]) -> bool:
    return any(ARROW in line for line in lines[:200])


def read_blocks(lines: list[str], limits: Limits, problems: Problems) -> list[Row]:
    """Q: lines, then one A: line; an answer may go on over the following lines until a blank line."""
    rows: list[Row] = []
    questions: list[tuple[int, str]] = []
    answer: tuple[int, list[str]] | None = None

    def close() -> None:
        nonlocal questions, answer
        if answer is not None:
            text = "\n".join(answer[1]).strip()
            if not text:
                problems.add(f"line {answer[0]}: the answer is empty")
            rows.extend(Row(line, question, None, text) for line, question in questions)
            questions, answer = [], None

    for number, line in enumerate(lines, start=1):
        question_match, answer_match = QUESTION.match(line), ANSWER.match(line)
        if question_match:
            close()
            questions.append((number, question_match.group(1).strip()))
        elif answer_match:
            if answer is not None:
                problems.add(
                    f"line {number}: a second answer for the same questions (the first is on line {answer[0]})"
                )
            elif not questions:
                problems.add(f"line {number}: an answer without a question before it")
            else:
                answer = (number, [answer_match.group(1)])
        elif not line.strip():
            close()
        elif answer is not None:
            answer[1].append(line.rstrip())
        elif questions:
            last_line, last = questions[-1]
            questions[-1] = (last_line, f"{last} {line.strip()}")
        elif not line.lstrip().startswith("#"):
            problems.add(f"line {number}: expected a line starting with `Q:` or `A:`")
        if too_many(rows, limits, problems) or problems.full:
            return rows
    close()
    for number, _ in questions:
        problems.add(f"line {number}: a question without an answer")
    return rows


def read_arrows(lines: list[str], limits: Limits, problems: Problems) -> list[Row]:
    """One `question => answer` per line; blank lines and lines starting with # are skipped."""
    rows: list[Row] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        question, arrow, answer = line.partition(ARROW)
        if not arrow:
            problems.add(f"line {number}: expected `question => answer`")
        elif not answer.strip():
            problems.add(f"line {number}: the answer is empty")
        else:
            rows.append(Row(number, question.strip(), None, answer.strip()))
        if too_many(rows, limits, problems) or problems.full:
            break
    return rows
