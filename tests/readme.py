"""README.md read as a newcomer reads it: its fenced code blocks with their markers, the inline
code of its prose, and the simple commands a shell line is made of (tests/test_readme.py)."""

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}
MARKER = re.compile(r"^\s*<!--\s*readme:\s*(?P<kind>.*?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+|~~~+)\s*(?P<info>[^`\s]*)")
INLINE_CODE = re.compile(r"(?<!`)`(?P<code>[^`]+)`(?!`)")
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
# What a shell line's words are split at: control operators, pipes, subshells, redirections.
OPERATOR = re.compile(r"^[;&|()<>]+$")
RESERVED = {"do", "done", "then", "else", "fi", "{", "}", "!", "if", "while", "until"}
ASSIGNMENT = re.compile(r"^(?P<name>[A-Za-z_]\w*)=(?P<value>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Block:
    fence_line: int  # README.md's line number of the opening fence
    info: str  # the info string's first word: "sh", "promql", "text"; "" without one
    marker: str | None  # what the comment just before the fence says: "run", "check"
    lines: tuple[str, ...]  # the code, without the fence's indentation

    @property
    def is_shell(self) -> bool:
        return self.info in SHELL_LANGUAGES

    @property
    def code(self) -> str:
        return "\n".join(self.lines)

    def __str__(self) -> str:
        return f"README.md:{self.fence_line}"


@dataclass(frozen=True)
class Readme:
    text: str
    blocks: tuple[Block, ...]
    stray_markers: tuple[int, ...]  # lines of markers that no fence follows
    prose: str  # the text with every block's lines blanked: line numbers stay

    def prose_line(self, offset: int) -> int:
        return self.prose.count("\n", 0, offset) + 1

    def inline_code(self) -> Iterator[tuple[int, str]]:
        """(line, code) of each code span in the prose; a span may go on over one line break."""
        for match in INLINE_CODE.finditer(self.prose):
            code = match["code"]
            if "\n\n" not in code:
                yield self.prose_line(match.start()), " ".join(code.split())

    def links(self) -> Iterator[tuple[int, str]]:
        for match in LINK.finditer(self.prose):
            yield self.prose_line(match.start()), match["target"]

    def section(self, heading: str) -> str:
        """The text under `heading` ("## Configuration") up to the next heading of its level."""
        level = heading.split(maxsplit=1)[0]
        start = self.text.index(f"\n{heading}\n")
        end = self.text.find(f"\n{level} ", start + 1)
        return self.text[start : end if end != -1 else None]


def read(path: Path = README) -> Readme:
    lines = path.read_text().splitlines()
    blocks: list[Block] = []
    markers: list[int] = []
    prose = list(lines)
    number = 0
    while number < len(lines):
        line = lines[number]
        if MARKER.match(line):
            markers.append(number + 1)
        opening = FENCE.match(line)
        if not opening:
            number += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        marker = MARKER.match(lines[number - 1]) if number else None
        if marker:
            markers.remove(number)
        end = number + 1
        while end < len(lines) and not (
            lines[end].startswith(indent + fence) and not lines[end].strip().strip(fence[0])
        ):
            end += 1
        code = tuple(text.removeprefix(indent) for text in lines[number + 1 : end])
        blocks.append(Block(number + 1, opening["info"], marker["kind"] if marker else None, code))
        for blanked in range(number, min(end + 1, len(lines))):
            prose[blanked] = ""
        number = end + 1
    return Readme("\n".join(lines), tuple(blocks), tuple(markers), "\n".join(prose))


@dataclass
class Command:
    """One simple command: `A=1 B=2 program words...`, or assignments alone."""

    line: int  # README.md's line number
    assignments: dict[str, str] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)
    exported: bool = False  # `export A=1`
    loop_variable: str | None = None  # `for s in ...`

    @property
    def program(self) -> str | None:
        return self.words[0] if self.words else None

    @property
    def sets_environment(self) -> bool:
        """Its assignments reach a program's environment, not just the shell's variables."""
        return self.exported or bool(self.words)


def split_comment(line: str) -> tuple[str, str]:
    """`code  # comment` -> (code, comment): a `#` starting a word outside quotes."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index], line[index + 1 :]
    return line, ""


def logical_lines(block: Block) -> Iterator[tuple[int, str, str]]:
    """(README line, code, comment) of each line a shell reads as one: continued after a
    trailing backslash or inside an open quote."""
    start: int | None = None
    code: list[str] = []
    comments: list[str] = []
    for offset, raw in enumerate(block.lines):
        text, comment = split_comment(raw)
        start = block.fence_line + 1 + offset if start is None else start
        comments.append(comment)
        if text.rstrip().endswith("\\"):
            code.append(text.rstrip()[:-1])
            continue
        code.append(text)
        joined = " ".join(code)
        try:
            shlex.split(joined)
        except ValueError:  # a quote still open: the command goes on
            continue
        yield start, joined, " ".join(c for c in comments if c)
        start, code, comments = None, [], []
    if start is not None:
        yield start, " ".join(code), " ".join(comments)


def commands(line: int, code: str) -> list[Command]:
    """The simple commands of one logical line (pipes, lists, `$(...)` and `for` taken apart)."""
    lexer = shlex.shlex(code, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    segments: list[list[str]] = [[]]
    after_redirection = False
    for word in lexer:
        if OPERATOR.match(word):
            segments.append([])
            after_redirection = word in {"<", ">", ">>", "2>", "&>"}
        elif after_redirection:
            after_redirection = False  # the file a redirection names
        else:
            segments[-1].append(word)
    return [command for words in segments if (command := simple_command(line, words))]


def simple_command(line: int, words: list[str]) -> Command | None:
    while words and words[0] in RESERVED:
        words = words[1:]
    if not words:
        return None
    command = Command(line)
    if words[0] == "for" and len(words) > 1:
        command.loop_variable = words[1]
        return command
    if words[0] == "export":
        command.exported, words = True, words[1:]
    while words and (assignment := ASSIGNMENT.match(words[0])):
        command.assignments[assignment["name"]] = assignment["value"]
        words = words[1:]
    command.words = [] if command.exported else words
    return command
