#!/usr/bin/env python3
"""Writes the seed corpora (committed under fuzz/corpus/): the JSON examples
of the API references, with the statuses they come with, typed amounts and
query strings. Re-run after the references change."""

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parent / "tests/fixtures/reference"


def blocks(md: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```json\n(.*?)```", md, re.S)]


def write(target: str, name: str, data: bytes) -> None:
    d = HERE / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def status(code: int) -> bytes:
    return (code - 100).to_bytes(2, "little")


for api in ["clara", "dispersed"]:
    for i, block in enumerate(blocks((REFERENCE / f"{api}-api.md").read_text())):
        for code in [200, 400, 401, 500]:
            write(f"{api}_answer", f"ref-{i:03}-{code}", status(code) + block.encode())
        write("canonical", f"{api}-{i:03}", block.encode())

amounts = ["5", "10", "10000", "4.99", "5.00", "5,50", "$5", "5 $", "€12,50", "12.50 EUR", "1,000.50",
           "1.000,50", "0", "-5", "−5", "1e3", "NaN", "Infinity", "٥", "５０", "5\n6", "1\u00a0000",
           "99999999999999999999", " 25 ", "USD 25", "0.001", ".5", "5.", "+5"]
for i, a in enumerate(amounts):
    write("amount", f"seed-{i:02}", a.encode())

for i, q in enumerate(["limit=10&status=completed", "a=1&a=0&b=", "starting_after=cp_1&limit=100",
                       "q=caf%C3%A9&x=a+b", "key=value=more"]):
    write("canonical", f"query-{i}", q.encode())
