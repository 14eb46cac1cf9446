"""Serve every deployment of ``prefect.yaml`` with its schedule from one process.

``roadmap up`` starts ``python -m cli.up_serve PREFECT_YAML``: each deployment of the
file becomes a runner deployment (same name, schedule, parameters, concurrency limit)
served by ``prefect.serve`` — no work pool, worker or ``prefect deploy`` needed.
A relative ``out_dir`` parameter is resolved against the working directory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class DeploymentSpec:
    """One entry of ``prefect.yaml``'s ``deployments``."""

    name: str
    module: str  # flows.daily_sweep
    function: str  # daily_sweep
    schedules: tuple[dict[str, Any], ...]
    parameters: dict[str, Any]
    description: str
    tags: tuple[str, ...]
    concurrency_limit: int | None

    def schedule_ru(self) -> str:
        parts = []
        for s in self.schedules:
            tz = s.get("timezone") or "UTC"
            if "cron" in s:
                parts.append(f"cron «{s['cron']}» ({tz})")
            else:
                parts.append(f"каждые {int(s['interval'])} с")
        return ", ".join(parts) or "без расписания"


def read_specs(prefect_file: Path) -> list[DeploymentSpec]:
    """The deployments of ``prefect_file``; entrypoints are ``flows/<module>.py:<flow>``."""
    doc = yaml.safe_load(prefect_file.read_text(encoding="utf-8")) or {}
    out = []
    for d in doc.get("deployments") or []:
        path, function = str(d["entrypoint"]).split(":")
        module = path.removesuffix(".py").replace("/", ".")
        out.append(
            DeploymentSpec(
                name=str(d["name"]),
                module=module,
                function=function,
                schedules=tuple(d.get("schedules") or ()),
                parameters=dict(d.get("parameters") or {}),
                description=str(d.get("description") or ""),
                tags=tuple(d.get("tags") or ()),
                concurrency_limit=d.get("concurrency_limit"),
            )
        )
    return out


def flow_name(spec: DeploymentSpec) -> str:
    """Prefect's name of the flow behind a deployment (``daily-sweep``)."""
    return str(getattr(importlib.import_module(spec.module), spec.function).name)


def to_deployment(spec: DeploymentSpec, workdir: Path) -> Any:
    from prefect.schedules import Cron, Interval

    flow = getattr(importlib.import_module(spec.module), spec.function)
    schedules = [
        Cron(s["cron"], timezone=s.get("timezone"), active=bool(s.get("active", True)))
        if "cron" in s
        else Interval(
            dt.timedelta(seconds=float(s["interval"])),
            timezone=s.get("timezone"),
            active=bool(s.get("active", True)),
        )
        for s in spec.schedules
    ]
    params = dict(spec.parameters)
    if isinstance(params.get("out_dir"), str) and not Path(params["out_dir"]).is_absolute():
        params["out_dir"] = str((workdir / params["out_dir"]).resolve())
    return flow.to_deployment(
        name=spec.name,
        schedules=schedules,
        parameters=params,
        description=spec.description,
        tags=list(spec.tags),
        concurrency_limit=spec.concurrency_limit,
    )


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - run as a child process
    parser = argparse.ArgumentParser(description="prefect.serve для всех развёртываний")
    parser.add_argument("prefect_file", type=Path)
    args = parser.parse_args(argv)
    from prefect import serve

    specs = read_specs(args.prefect_file)
    serve(*[to_deployment(s, Path.cwd()) for s in specs], print_starting_message=False)


if __name__ == "__main__":  # pragma: no cover
    main()
