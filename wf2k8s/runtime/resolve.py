"""Resolve a JobStep's algorithm and engine image from the cluster's catalog, when the run starts.

The catalog is the ConfigMap ``wf2k8s-catalog``, key ``catalog.json``, mounted at
``/etc/wf2k8s/catalog``::

    {
      "engines":    {"<engine_name>/<engine_version>": {"image": "..."}, "<engine_id>": {"image": "..."}},
      "algorithms": {"<algorithm_id>": ALGORITHM},
      "gallery_algorithms": {"<subscription_id>/<item_version_id>": ALGORITHM},
      "gallery_models": {"<subscription_id>/<version_num>": {"image": "...", "model_type": "...", ...}}
    }

ALGORITHM is ``{"code_dir": OBS path, "boot_file": "train.py" | "command": "...",
"engine": {"engine_name": ..., "engine_version": ...} | {"image_url": ...},
"parameters": [{"name": ..., "value": ...}], "environments": {...}}``; its parameters are
the defaults a step's own hyperparameters override.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from wf2k8s.contract.phases import Algorithm, Engine, ResolvePhase

from .context import ContractError, RunContext
from .untrusted import JSON_LIMIT, loads

CATALOG = "/etc/wf2k8s/catalog/catalog.json"


def load_catalog() -> dict:
    """The catalog (``$WF2K8S_CATALOG``, read when asked, or the mounted ConfigMap); {} when there is none."""
    path = Path(os.environ.get("WF2K8S_CATALOG") or CATALOG)
    if not path.is_file():
        return {}
    try:
        data = path.read_bytes()
    except OSError as problem:
        raise ContractError(f"catalog {path} cannot be read: {problem.strerror or problem}") from None
    catalog = loads(data, f"catalog {path}", ContractError, limit=JSON_LIMIT)
    if not isinstance(catalog, dict):
        raise ContractError(f"catalog {path}: must be a JSON object")
    return catalog


def engine_fields(engine: Engine | None) -> dict:
    """A step's own engine (resolved) as the catalog writes one: its fields that are set; {} for none."""
    if engine is None:
        return {}
    return {f.name: getattr(engine, f.name) for f in dataclasses.fields(engine) if getattr(engine, f.name)}


def engine_image(engine: dict, catalog: dict) -> str:
    if engine.get("image_url"):
        return str(engine["image_url"])
    engines = catalog.get("engines") or {}
    key = f"{engine.get('engine_name')}/{engine.get('engine_version')}" if engine.get("engine_name") \
        else str(engine.get("engine_id"))
    if key not in engines:
        known = ", ".join(sorted(engines)) or "none"
        raise ContractError(f"engine {key!r} is not in the catalog (ConfigMap wf2k8s-catalog; engines: {known})")
    return engines[key]["image"]


def catalog_entry(own: Algorithm) -> tuple[dict, str]:
    """The catalog's algorithm for an Algorithm or AIGalleryAlgorithm (empty for a code directory);
    ``own`` is the step's algorithm with its references resolved."""
    catalog = load_catalog()
    if own.algorithm_id or own.id:
        key = own.algorithm_id or own.id
        table, what = catalog.get("algorithms") or {}, "algorithm"
    elif own.subscription_id and not own.code_dir:
        key = f"{own.subscription_id}/{own.item_version_id}"
        table, what = catalog.get("gallery_algorithms") or {}, "subscribed algorithm"
    else:
        return {}, ""
    if key not in table:
        raise ContractError(f"{what} {key!r} is not in the catalog (ConfigMap wf2k8s-catalog)")
    return dict(table[key]), f"{what} {key!r}"


def run(spec: ResolvePhase, run: RunContext) -> dict:
    own = run.resolve(spec.algorithm)
    entry, what = catalog_entry(own)
    image = engine_image(engine_fields(own.engine) or entry.get("engine") or {}, load_catalog())
    print(f"step {spec.step!r}: image {image}" + (f" for {what}" if what else ""))
    return {"image": image, "files": {"image": image}}
