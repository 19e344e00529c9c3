#!/usr/bin/env python3
"""Generate satui's permission catalog from grafana_facts.json.

Reads the facts collected from Grafana's source (fixed roles, their grants and the
actions they use) and writes a catalog in the format of assets/permissions.json, plus
a top-level "grafana_version" and a "group" on every fixed role.

Basic roles are computed the way Grafana computes them, plus Grafana's default per-resource
permissions (View for Viewer, Edit for Editor on every folder and dashboard; satui has no
folders, see "default_resource_permissions" in the facts), and
(accesscontrol.BuiltInRolesWithParents + the Exclude list of each registration):
a role granted to Viewer also lands in Editor and Admin, one granted to Editor also in
Admin, unless the registration excludes that basic role. "None" gets nothing, and
"Grafana Admin" is not a satui basic role, so it is not written.

Usage:
    python3 scripts/catalog/gen_permissions.py [--facts FILE] [--out FILE]

Defaults: facts next to this script, output assets/permissions.json.
Standard library only.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

BASIC_ROLES = ["None", "Viewer", "Editor", "Admin"]
# org.RoleType(...).Parents() in Grafana: a grant to a basic role also reaches its parents.
PARENTS = {"None": [], "Viewer": ["Editor", "Admin"], "Editor": ["Admin"], "Admin": [], "Grafana Admin": []}


def perm_key(p):
    return (p["action"], p["scope"])


def dedup_sorted(perms):
    seen = {}
    for p in perms:
        seen[perm_key(p)] = {"action": p["action"], "scope": p["scope"]}
    return [seen[k] for k in sorted(seen)]


def with_parents(grants):
    out = []
    for g in grants:
        if g not in PARENTS:
            raise ValueError(f"unknown basic role in grants: {g!r}")
        for br in [g] + PARENTS[g]:
            if br not in out:
                out.append(br)
    return out


def scope_prefixes(kinds, kind_attrs):
    scopes = []
    for kind in kinds:
        scopes.append(f"{kind}:*")
        for attr in kind_attrs.get(kind, []):
            scopes.append(f"{kind}:{attr}:*")
    return scopes


def build(facts):
    roles = facts["roles"]
    names = [r["name"] for r in roles]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"fixed roles listed twice: {dupes}")

    basic = {br: [] for br in BASIC_ROLES}
    for r in roles:
        for br in with_parents(r["grants"]):
            if br in r.get("exclude", []) or br not in basic:
                continue  # excluded, or "Grafana Admin" (server role, not an org basic role)
            basic[br].extend(r["permissions"])
    # Grafana's default managed permissions on folders and dashboards (see the facts' note):
    # folder actions on every folder, dashboard actions on every dashboard and every folder.
    defaults = facts.get("default_resource_permissions", {}).get("levels", {})
    for grant, level in defaults.items():
        for br in with_parents([grant]):
            if br not in basic:
                continue
            for action in level.get("folders", []):
                basic[br].append({"action": action, "scope": "folders:*"})
            for action in level.get("dashboards", []):
                basic[br].append({"action": action, "scope": "dashboards:*"})
                basic[br].append({"action": action, "scope": "folders:*"})
    basic = {br: dedup_sorted(perms) for br, perms in basic.items()}

    fixed = []
    for r in sorted(roles, key=lambda r: r["name"]):
        fixed.append({
            "name": r["name"],
            "display_name": r["display_name"],
            "description": r["description"] or r.get("satui_description", ""),
            "group": r["group"],
            "grants": [g for g in r["grants"] if g in BASIC_ROLES],
            "exclude": [g for g in r.get("exclude", []) if g in BASIC_ROLES],
            "permissions": dedup_sorted(r["permissions"]),
        })

    used = {p["action"] for r in roles for p in r["permissions"]}
    used |= {p["action"] for perms in basic.values() for p in perms}
    info = {a["action"]: a for a in facts["actions"]}
    missing = sorted(used - set(info))
    if missing:
        raise ValueError(f"actions without a description in the facts: {missing}")
    kind_attrs = facts.get("scope_kind_attributes", {})
    actions = [
        {
            "action": name,
            "scopes": scope_prefixes(info[name]["scope_kinds"], kind_attrs),
            "description": info[name]["description"],
        }
        for name in sorted(used)
    ]

    return {
        "grafana_version": facts["grafana"]["version"],
        "default_resource_permissions": defaults,
        "actions": actions,
        "basic_roles": basic,
        "fixed_roles": fixed,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts", default=os.path.join(HERE, "grafana_facts.json"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "assets", "permissions.json"))
    args = ap.parse_args(argv)

    with open(args.facts, encoding="utf-8") as fh:
        facts = json.load(fh)
    catalog = build(facts)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(catalog, fh, indent=2, ensure_ascii=False)
        fh.write("\n")

    counts = ", ".join(f"{br} {len(catalog['basic_roles'][br])}" for br in BASIC_ROLES)
    print(f"wrote {args.out}: {len(catalog['fixed_roles'])} fixed roles, "
          f"{len(catalog['actions'])} actions, basic roles: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
