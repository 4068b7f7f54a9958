"""The peer protocol of `unbiased perf --peers` (apps/bench/src/perf/peers.ts), shared by the metric peers.

    python3 tooling/peers/<name>.py --cases <id>,<id> --repeats N --json [extra args]

prints ONE JSON object on stdout, `{ "peer": "<name version>", "cases": { "<id>": { "ms": [...], "value": v } } }`
(`value`, optional, is the case's result, which the runner compares with ours), exits 3 with a message naming the
missing module and the pip command on stderr when an import fails, and 2 for an unknown case id or bad arguments.
Case lists split on a comma not followed by a space (ids may hold ", "). Not a dependency of the project.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import time
from typing import Any, Callable, Dict, Optional, Tuple

# A case: setup(args) -> (step, value); step() runs the timed work once and returns its result; value(result) is
# the number reported as the case's "value" (compared with ours), or value is None.
Setup = Callable[[argparse.Namespace], Tuple[Callable[[], Any], Optional[Callable[[Any], float]]]]


def require(module: str, pip: str, peer: str) -> Any:
    """Imports `module` or exits 3 naming it and the pip command."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        print(f"{peer} peer: cannot import {module} ({error}); install it with: {pip}", file=sys.stderr)
        sys.exit(3)


def run(peer: str, cases: Dict[str, Setup], extra: Callable[[argparse.ArgumentParser], None] = lambda parser: None, warmup: int = 1) -> None:
    """Parses the protocol's arguments, times the requested cases and prints the JSON document."""
    parser = argparse.ArgumentParser(description=f"{peer}: peer of `unbiased perf --peers`")
    parser.add_argument("--cases", required=True, help="case ids, comma-separated")
    parser.add_argument("--repeats", type=int, default=7, help="timed samples per case")
    parser.add_argument("--json", action="store_true", help="print the JSON document (the only output format)")
    extra(parser)
    args = parser.parse_args()
    ids = [c.strip() for c in re.split(r",(?! )", args.cases) if c.strip()]
    unknown = [c for c in ids if c not in cases]
    if unknown or args.repeats < 1:
        print(f"{peer} peer: unknown case id(s) {unknown} (known: {sorted(cases)}) or --repeats < 1", file=sys.stderr)
        sys.exit(2)
    out: Dict[str, Dict[str, Any]] = {}
    for case_id in ids:
        step, value = cases[case_id](args)
        for _ in range(warmup):
            step()
        samples = []
        result = None
        for _ in range(args.repeats):
            start = time.perf_counter()
            result = step()
            samples.append((time.perf_counter() - start) * 1000.0)
        entry: Dict[str, Any] = {"ms": samples}
        if value is not None:
            entry["value"] = float(value(result))
        out[case_id] = entry
    print(json.dumps({"peer": peer, "cases": out}))
