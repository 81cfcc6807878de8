#!/usr/bin/env python3
"""A Kubernetes API test server: the real API's paths, verbs, status codes and `Status` bodies, in memory.

No Kubernetes API server runs where AWOOOI's tests run, so this one stands in for it. It is kept honest by
test/integration/test_kubernetes.py, which drives it with the real `kubectl`.

What it serves (JSON only; `as=Table` for `kubectl get`):
  discovery   /version, /api, /apis, /api/v1, /apis/{group}/{version} (legacy discovery documents);
              /openapi/v2 with every PATCH operation and its dryRun parameter (protobuf for kubectl 1.20's
              dry-run check, JSON otherwise); /openapi/v3 answers 404, which kubectl tolerates
  core/v1     namespaces, nodes (+/status), pods (+/eviction, /status), persistentvolumeclaims
  apps/v1     deployments, statefulsets, replicasets (each +/scale, /status)
  policy/v1   poddisruptionbudgets (+/status)
  authorization.k8s.io/v1  selfsubjectaccessreviews (create)
Verbs: get, list (labelSelector, fieldSelector), create (POST), update (PUT, resourceVersion precondition
-> 409), patch (strategic-merge, merge and JSON patch; a patch that sets metadata.resourceVersion is a
precondition), delete (DeleteOptions preconditions uid/resourceVersion -> 409), `?dryRun=All` on every
mutating verb (validated and answered, never persisted).

Controllers run synchronously after every persisted write, so the world stays consistent:
  Deployment -> ReplicaSet per pod-template hash (old ones scaled to 0; a paused Deployment scales but does
  not roll out) -> Pods; StatefulSet -> Pods {name}-{ordinal} and PVCs from volumeClaimTemplates; a deleted
  or evicted Pod with a controller is replaced at once (Running and Ready); PodDisruptionBudget status
  (currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed) is recomputed from the matching Pods;
  a PVC being deleted stays Terminating (kubernetes.io/pvc-protection) while a Pod uses it.

Eviction (policy/v1, POST .../pods/{name}/eviction) as pkg/registry/core/pod/storage/eviction.go: 201
Success; 429 TooManyRequests with a DisruptionBudget cause and no Retry-After when the one matching PDB
allows no disruption; 500 InternalError when more than one PDB matches; 409 on a failed precondition;
terminal and Pending pods are deleted without a PDB check.

Authentication: `--token T` requires `Authorization: Bearer T`; `--tls-cert/--tls-key` serve HTTPS;
`--client-ca` accepts client certificates signed by it (CN = user name). Without either, anyone is
user `--user`. Unauthenticated requests get 401.

Test control (never part of the Kubernetes API; no authentication):
  GET  /_control/requests          every API request received: method, path, query, content_type,
                                   body, user, status (also appended to --record FILE as JSON lines)
  POST /_control/requests/clear
  POST /_control/faults            {"rules": [{"method": "PUT", "path": "regex", "action":
                                   "delay"|"status"|"hang"|"close", "seconds": 1.5, "status": 503,
                                   "message": "...", "times": 1}]}  (replaces the rules; times -1 or
                                   absent = always). delay then answers normally; hang holds the
                                   connection `seconds` (default 3600) and closes it without an answer.
  POST /_control/deny              {"rules": [{"verb": "create", "group": "", "resource": "pods",
                                   "subresource": "eviction", "namespace": "*", "name": "*"}]}: the
                                   user may not do these (SelfSubjectAccessReview says allowed=false and
                                   the request itself answers 403 Forbidden). Fields default to "*".
  POST /_control/webhook           {"name": "policy.example.com", "refuse_dry_run": true,
                                   "resources": ["pods/eviction", "deployments", "*"]}: a validating
                                   admission webhook without sideEffects None: dry-run requests on those
                                   resources answer 400 `admission webhook "..." does not support dry run`.
                                   {"name": ""} removes it.
  POST /_control/objects           {"objects": [full objects]}: create or replace (new resourceVersion),
                                   then run the controllers.
  POST /_control/delete            {"resource": "pods", "namespace": "ns", "name": "x"}
  POST /_control/reset             {"world": "default"|"empty"}: a fresh world (rules kept)
  GET  /_control/objects           every object

Usage: kube_api_server.py [--port 0] [--host 127.0.0.1] [--world default|empty|FILE.json] [--record FILE]
                          [--token T] [--tls-cert F --tls-key F [--client-ca F]] [--user NAME]
On start it prints "LISTENING <port>" on stdout; it exits when its parent process does. Python 3 standard library
only.
"""
import argparse
import copy
import datetime
import hashlib
import http.server
import json
import os
import random
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid

SERVER_VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0-awoooi-test", "gitCommit": "0" * 40,
                  "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.23.4",
                  "compiler": "gc", "platform": "linux/amd64"}
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand.SafeEncodeString
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


class Resource:
    def __init__(self, name, group, kind, namespaced, short=(), subresources=(), verbs=ALL_VERBS,
                 categories=()):
        self.name, self.group, self.kind, self.namespaced = name, group, kind, namespaced
        self.short, self.subresources, self.verbs, self.categories = list(short), subresources, verbs, list(categories)
        self.singular = kind.lower()

    @property
    def api_version(self):
        return f"{self.group}/v1" if self.group else "v1"

    @property
    def qualified(self):  # "deployments.apps", "pods": how the API names a resource in messages
        return f"{self.name}.{self.group}" if self.group else self.name


SCALE = ("autoscaling", "v1", "Scale", ["get", "patch", "update"])
STATUS = None  # the subresource is the object's own kind
RESOURCES = [
    Resource("namespaces", "", "Namespace", False, ["ns"], {"status": STATUS},
             ["create", "delete", "get", "list", "patch", "update", "watch"]),
    Resource("nodes", "", "Node", False, ["no"], {"status": STATUS}),
    Resource("pods", "", "Pod", True, ["po"],
             {"eviction": ("policy", "v1", "Eviction", ["create"]), "status": STATUS}, categories=["all"]),
    Resource("persistentvolumeclaims", "", "PersistentVolumeClaim", True, ["pvc"], {"status": STATUS}),
    Resource("deployments", "apps", "Deployment", True, ["deploy"], {"scale": SCALE, "status": STATUS},
             categories=["all"]),
    Resource("statefulsets", "apps", "StatefulSet", True, ["sts"], {"scale": SCALE, "status": STATUS},
             categories=["all"]),
    Resource("replicasets", "apps", "ReplicaSet", True, ["rs"], {"scale": SCALE, "status": STATUS},
             categories=["all"]),
    Resource("poddisruptionbudgets", "policy", "PodDisruptionBudget", True, ["pdb"], {"status": STATUS}),
    Resource("selfsubjectaccessreviews", "authorization.k8s.io", "SelfSubjectAccessReview", False, (), {},
             ["create"]),
]
BY_GROUP = {}
for _r in RESOURCES:
    BY_GROUP.setdefault(_r.group, {})[_r.name] = _r
GROUP_ORDER = ["apps", "policy", "authorization.k8s.io", "autoscaling"]
WORKLOADS = {"Deployment": "deployments", "StatefulSet": "statefulsets", "ReplicaSet": "replicasets"}


class ApiError(Exception):
    """An answer with a metav1.Status body (the API's error format)."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details, self.headers = code, reason, message, details, headers

    def body(self):
        s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": self.message,
             "reason": self.reason, "code": self.code}
        if self.details is not None:
            s["details"] = self.details
        return s


def details_of(res, name, causes=None):
    d = {"name": name, "kind": res.name}
    if res.group:
        d["group"] = res.group
    if causes:
        d["causes"] = causes
    return d


def not_found(res, name):
    return ApiError(404, "NotFound", f'{res.qualified} "{name}" not found', details_of(res, name))


def conflict(res, name, why):
    return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {res.qualified} "{name}": {why}',
                    details_of(res, name))


def invalid(res, name, field, message):
    kind = res.kind
    return ApiError(422, "Invalid", f'{kind} "{name}" is invalid: {field}: {message}',
                    {"name": name, "group": res.group, "kind": kind,
                     "causes": [{"reason": "FieldValueInvalid", "message": message, "field": field}]})


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(s):
    try:
        return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    except (TypeError, ValueError):
        return time.time()


def human_age(created):
    s = max(0, int(time.time() - parse_time(created)))
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s"
    if m < 180:
        return f"{m}m"
    h = m // 60
    if h < 8:
        return f"{h}h{m % 60}m"
    if h < 48:
        return f"{h}h"
    return f"{h // 24}d"


# ---------------------------------------------------------------------------------------------------------------
# Label and field selectors (k8s.io/apimachinery/pkg/labels and fields string forms).

def split_selector(text):
    """Splits on commas outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def parse_label_selector(text):
    """A list of (key, op, values): op in =, !=, in, notin, exists, !exists."""
    reqs = []
    for part in split_selector(text or ""):
        m = re.fullmatch(r"([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)", part)
        if m:
            reqs.append((m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",") if v.strip()}))
            continue
        m = re.fullmatch(r"([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)", part)
        if m:
            reqs.append((m.group(1), "!=" if m.group(2) == "!=" else "=", {m.group(3)}))
            continue
        m = re.fullmatch(r"(!?)([^\s!=(),]+)", part)
        if m:
            reqs.append((m.group(2), "!exists" if m.group(1) else "exists", set()))
            continue
        raise bad_request(f"unable to parse requirement: {part!r}")
    return reqs


def labels_match(reqs, labels):
    labels = labels or {}
    for key, op, values in reqs:
        has = key in labels
        v = labels.get(key)
        if op == "=" and not (has and v in values):
            return False
        if op == "!=" and has and v in values:
            return False
        if op == "in" and not (has and v in values):
            return False
        if op == "notin" and has and v in values:
            return False
        if op == "exists" and not has:
            return False
        if op == "!exists" and has:
            return False
    return True


def selector_object_matches(selector, labels):
    """A metav1.LabelSelector (matchLabels, matchExpressions). None matches nothing, {} everything."""
    if selector is None:
        return False
    labels = labels or {}
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e.get("key"), e.get("operator"), set(e.get("values") or [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def selector_string(selector):
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for e in selector.get("matchExpressions") or []:
        op = e.get("operator")
        if op in ("In", "NotIn"):
            parts.append(f"{e['key']} {op.lower()} ({','.join(sorted(e.get('values') or []))})")
        elif op == "Exists":
            parts.append(e["key"])
        elif op == "DoesNotExist":
            parts.append("!" + e["key"])
    return ",".join(parts)


def field_value(obj, path):
    cur = obj
    for p in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(p)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def fields_match(text, obj):
    for part in split_selector(text or ""):
        m = re.fullmatch(r"([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)", part)
        if not m:
            raise bad_request(f"invalid selector: {text!r}; can't understand {part!r}")
        value = field_value(obj, m.group(1))
        if (m.group(2) == "!=") == (value == m.group(3)):
            return False
    return True


# ---------------------------------------------------------------------------------------------------------------
# Protobuf request bodies. kubectl's typed clients (`kubectl auth can-i`) send
# application/vnd.kubernetes.protobuf: the "k8s\0" magic and a runtime.Unknown envelope around the object's own
# message. Only the messages this server accepts that way are decoded (SelfSubjectAccessReview); answers are JSON,
# which those clients accept too.

def proto_fields(data):
    """(field number, wire type, value) of one protobuf message: ints for varints, bytes for length-delimited."""
    i, out = 0, []
    while i < len(data):
        key, i = proto_varint(data, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, i = proto_varint(data, i)
        elif wire == 2:
            n, i = proto_varint(data, i)
            value, i = data[i:i + n], i + n
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise bad_request("the body of the request was in an unknown format: bad protobuf wire type")
        out.append((num, wire, value))
    return out


def proto_varint(data, i):
    shift = value = 0
    while True:
        if i >= len(data):
            raise bad_request("the body of the request was in an unknown format: truncated protobuf")
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def proto_strings(data, names):
    return {names[num]: value.decode() for num, wire, value in proto_fields(data) if wire == 2 and num in names}


def decode_protobuf_object(body):
    if not body.startswith(b"k8s\x00"):
        raise bad_request("the body of the request was in an unknown format: missing the k8s protobuf prefix")
    envelope = {num: value for num, _, value in proto_fields(body[4:])}
    type_meta = proto_strings(envelope.get(1, b""), {1: "apiVersion", 2: "kind"})
    raw = envelope.get(2, b"")
    if type_meta.get("kind") != "SelfSubjectAccessReview":
        raise ApiError(415, "UnsupportedMediaType", f"the test server decodes only SelfSubjectAccessReview from "
                                                    f"protobuf, not {type_meta.get('kind')}")
    obj = dict(type_meta)
    for num, _, value in proto_fields(raw):
        if num == 2:  # spec
            spec = {}
            for snum, _, svalue in proto_fields(value):
                if snum == 1:
                    spec["resourceAttributes"] = proto_strings(svalue, {1: "namespace", 2: "verb", 3: "group",
                                                                        4: "version", 5: "resource",
                                                                        6: "subresource", 7: "name"})
                elif snum == 2:
                    spec["nonResourceAttributes"] = proto_strings(svalue, {1: "path", 2: "verb"})
            obj["spec"] = spec
    return obj


# ---------------------------------------------------------------------------------------------------------------
# /openapi/v2: only what clients read from it. kubectl 1.20 (Debian 12's) asks it whether a kind supports server-side
# dry run — the PATCH operation of the kind's path must list a `dryRun` query parameter — and reads the document only
# as protobuf (gnostic openapi_v2.Document); other clients get the same paths as JSON.

OPENAPI_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"


def openapi_operations():
    """(path, operation id, group, version, kind) of every PATCH the server serves."""
    ops = []
    for res in RESOURCES:
        if "patch" not in res.verbs:
            continue
        base = f"/apis/{res.group}/v1" if res.group else "/api/v1"
        path = f"{base}/namespaces/{{namespace}}/{res.name}/{{name}}" if res.namespaced else \
            f"{base}/{res.name}/{{name}}"
        gv = (res.group, "v1")
        ops.append((path, f"patch{res.kind}", gv[0], gv[1], res.kind))
        for sub, spec in res.subresources.items():
            if spec is None:
                ops.append((f"{path}/{sub}", f"patch{res.kind}{sub.title()}", gv[0], gv[1], res.kind))
            elif "patch" in spec[3]:
                ops.append((f"{path}/{sub}", f"patch{res.kind}{sub.title()}", spec[0], spec[1], spec[2]))
    return ops


def pb_varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pb(num, payload):
    """A length-delimited field (strings and messages)."""
    if isinstance(payload, str):
        payload = payload.encode()
    return pb_varint(num << 3 | 2) + pb_varint(len(payload)) + payload


def openapi_protobuf():
    paths = b""
    for path, op_id, group, version, kind in openapi_operations():
        dry_run = pb(4, "dryRun") + pb(2, "query") + pb(6, "string")            # QueryParameterSubSchema
        param = pb(1, pb(2, pb(3, dry_run)))  # ParametersItem{parameter: Parameter{non_body: {query_sub_schema}}}
        gvk = pb(1, "x-kubernetes-group-version-kind") + \
            pb(2, pb(2, f"group: \"{group}\"\nkind: {kind}\nversion: {version}\n"))  # NamedAny{name, Any.yaml}
        operation = pb(5, op_id) + pb(8, param) + pb(13, gvk)
        paths += pb(2, pb(1, path) + pb(2, pb(8, operation)))  # Paths.path: NamedPathItem{name, PathItem.patch}
    info = pb(1, "Kubernetes") + pb(2, SERVER_VERSION["gitVersion"])
    return pb(1, "2.0") + pb(2, info) + pb(8, paths)


def openapi_json():
    paths = {}
    for path, op_id, group, version, kind in openapi_operations():
        paths[path] = {"patch": {"operationId": op_id, "consumes": [
            "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"],
            "parameters": [{"uniqueItems": True, "type": "string", "name": "dryRun", "in": "query"}],
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": {"group": group, "kind": kind, "version": version}}}
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": SERVER_VERSION["gitVersion"]},
            "paths": paths}


# ---------------------------------------------------------------------------------------------------------------
# Patches.

def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def strategic_merge_patch(target, patch):
    """Strategic merge patch for the fields of the built-in types this server serves: maps merge, null deletes,
    lists of objects that all carry "name" (containers, volumes, env, ports, conditions by type) merge by that
    key, `$patch: delete` removes a list element, other lists are replaced."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k.startswith("$"):
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            out[k] = strategic_merge_patch(out.get(k), v)
        elif isinstance(v, list) and isinstance(out.get(k), list) and v and all(isinstance(e, dict) for e in v):
            key = "name" if all("name" in e for e in v) else ("type" if all("type" in e for e in v) else None)
            if key is None:
                out[k] = copy.deepcopy(v)
                continue
            merged = [copy.deepcopy(e) for e in out[k]]
            for e in v:
                idx = next((i for i, m in enumerate(merged) if isinstance(m, dict) and m.get(key) == e[key]), None)
                if e.get("$patch") == "delete":
                    if idx is not None:
                        merged.pop(idx)
                elif idx is None:
                    merged.append({kk: vv for kk, vv in e.items() if kk != "$patch"})
                else:
                    merged[idx] = strategic_merge_patch(merged[idx], e)
            out[k] = merged
        else:
            out[k] = copy.deepcopy(v)
    return out


def json_pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json_patch(target, ops):
    """RFC 6902 JSON patch (add, remove, replace, test, copy, move)."""
    doc = copy.deepcopy(target)
    if not isinstance(ops, list):
        raise bad_request("json patch must be a list of operations")

    def walk(parts):
        cur = doc
        for p in parts[:-1]:
            cur = cur[int(p)] if isinstance(cur, list) else cur[p]
        return cur, parts[-1]

    def get(parts):
        cur = doc
        for p in parts:
            cur = cur[int(p)] if isinstance(cur, list) else cur[p]
        return cur

    for op in ops:
        try:
            kind, parts = op["op"], json_pointer(op["path"])
            if kind == "test":
                if get(parts) != op.get("value"):
                    raise ApiError(422, "Invalid", f"testing value {op['path']} failed")
                continue
            if kind in ("copy", "move"):
                value = copy.deepcopy(get(json_pointer(op["from"])))
                if kind == "move":
                    parent, last = walk(json_pointer(op["from"]))
                    parent.pop(int(last)) if isinstance(parent, list) else parent.pop(last)
                kind, op = "add", {"value": value}
            parent, last = walk(parts)
            if kind == "add":
                if isinstance(parent, list):
                    parent.insert(len(parent) if last == "-" else int(last), copy.deepcopy(op["value"]))
                else:
                    parent[last] = copy.deepcopy(op["value"])
            elif kind == "replace":
                if isinstance(parent, list):
                    parent[int(last)] = copy.deepcopy(op["value"])
                else:
                    if last not in parent:
                        raise ApiError(422, "Invalid", f"replace operation does not apply: doc is missing key: "
                                                       f"{op['path']}")
                    parent[last] = copy.deepcopy(op["value"])
            elif kind == "remove":
                if isinstance(parent, list):
                    parent.pop(int(last))
                else:
                    if last not in parent:
                        raise ApiError(422, "Invalid", f"remove operation does not apply: doc is missing path: "
                                                       f"{op['path']}")
                    parent.pop(last)
            else:
                raise bad_request(f"unexpected op {kind!r}")
        except ApiError:
            raise
        except (KeyError, IndexError, ValueError, TypeError) as e:
            raise ApiError(422, "Invalid", f"the JSON patch could not be applied: {e}")
    return doc


# ---------------------------------------------------------------------------------------------------------------
# The world: objects, resource versions, controllers.

class World:
    def __init__(self, seed=1):
        self.lock = threading.RLock()
        self.objects = {}  # (resource, namespace, name) -> object
        self.rv = 1000
        self.rng = random.Random(seed)
        self.clock = None  # during world building: a fake clock one minute per object, oldest first

    def now(self):
        if self.clock is not None:
            self.clock += 60
            return self.clock
        return time.time()

    def next_rv(self):
        self.rv += 1
        return str(self.rv)

    def key(self, res, ns, name):
        return (res.name, ns if res.namespaced else "", name)

    def get(self, res, ns, name):
        return self.objects.get(self.key(res, ns, name))

    def items(self, resname, ns=None):
        out = [o for (r, n, _), o in self.objects.items() if r == resname and (ns is None or n == ns)]
        return sorted(out, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))

    def stamp(self, res, obj, old=None):
        """Fills server-owned metadata and stores the object (a persisted write)."""
        md = obj.setdefault("metadata", {})
        obj["apiVersion"], obj["kind"] = res.api_version, res.kind
        if old is not None:
            md["uid"] = old["metadata"]["uid"]
            md["creationTimestamp"] = old["metadata"]["creationTimestamp"]
            gen = old["metadata"].get("generation", 1)
            if "spec" in obj and obj.get("spec") != old.get("spec"):
                gen += 1
            md["generation"] = gen
        else:
            md.setdefault("uid", str(uuid.UUID(int=self.rng.getrandbits(128), version=4)))
            md.setdefault("creationTimestamp", rfc3339(self.now()))
            md["generation"] = 1
        if res.name in ("pods", "nodes", "namespaces", "persistentvolumeclaims"):
            md.pop("generation", None)
        md["resourceVersion"] = self.next_rv()
        self.objects[self.key(res, md.get("namespace", ""), md["name"])] = obj
        return obj

    def remove(self, res, ns, name):
        self.objects.pop(self.key(res, ns, name), None)

    def set_status(self, resname, obj, status):
        if obj.get("status") != status:
            obj["status"] = status
            obj["metadata"]["resourceVersion"] = self.next_rv()

    # -- controllers -------------------------------------------------------------------------------------------

    def template_hash(self, template):
        digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
        return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in digest[:10])

    def random_suffix(self, n=5):
        return "".join(self.rng.choice(SAFE_ALPHABET) for _ in range(n))

    def owned(self, resname, ns, owner_kind, owner_name):
        return [o for o in self.items(resname, ns)
                if any(r.get("kind") == owner_kind and r.get("name") == owner_name and r.get("controller")
                       for r in o["metadata"].get("ownerReferences") or [])]

    def controller_of(self, obj):
        for r in obj["metadata"].get("ownerReferences") or []:
            if r.get("controller"):
                return r
        return None

    def pick_node(self):
        nodes = [n for n in self.items("nodes") if not (n.get("spec") or {}).get("unschedulable")]
        if not nodes:
            return None
        return nodes[self.rng.randrange(len(nodes))]["metadata"]["name"]

    def new_pod(self, ns, name, labels, template, owner_kind, owner_name, owner_uid, extra_spec=None):
        spec = copy.deepcopy((template or {}).get("spec") or {})
        spec.update(extra_spec or {})
        node = self.pick_node()
        if node:
            spec["nodeName"] = node
        now = self.now()
        containers = spec.get("containers") or [{"name": "main", "image": "registry.example/app:1"}]
        spec["containers"] = containers
        ready = node is not None
        status = {"phase": "Running" if ready else "Pending",
                  "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                  "lastTransitionTime": rfc3339(now)}],
                  "containerStatuses": [{"name": c.get("name", "main"), "ready": ready, "restartCount": 0,
                                         "image": c.get("image", ""), "started": ready,
                                         "state": {"running": {"startedAt": rfc3339(now)}} if ready else
                                         {"waiting": {"reason": "Pending"}}} for c in containers],
                  "podIP": f"10.244.{self.rng.randrange(1, 250)}.{self.rng.randrange(2, 250)}",
                  "startTime": rfc3339(now), "qosClass": "BestEffort"}
        pod = {"metadata": {"name": name, "namespace": ns, "labels": dict(labels),
                            "annotations": dict(((template or {}).get("metadata") or {}).get("annotations") or {}),
                            "creationTimestamp": rfc3339(now),
                            "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner_kind, "name": owner_name,
                                                 "uid": owner_uid, "controller": True,
                                                 "blockOwnerDeletion": True}]},
               "spec": spec, "status": status}
        if not pod["metadata"]["annotations"]:
            del pod["metadata"]["annotations"]
        return self.stamp(RES["pods"], pod)

    def pod_ready(self, pod):
        if pod["metadata"].get("deletionTimestamp"):
            return False
        st = pod.get("status") or {}
        return st.get("phase") == "Running" and any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in st.get("conditions") or [])

    def reconcile(self):
        for _ in range(10):
            before = self.rv
            for d in self.items("deployments"):
                self.reconcile_deployment(d)
            for rs in self.items("replicasets"):
                self.reconcile_replicaset(rs)
            for s in self.items("statefulsets"):
                self.reconcile_statefulset(s)
            for d in self.items("deployments"):
                self.deployment_status(d)
            self.reconcile_pvcs()
            for p in self.items("poddisruptionbudgets"):
                self.pdb_status(p)
            if self.rv == before:
                return

    def reconcile_deployment(self, d):
        md, spec = d["metadata"], d.get("spec") or {}
        ns, name = md["namespace"], md["name"]
        template = spec.get("template") or {}
        h = self.template_hash(template)
        current = f"{name}-{h}"
        replicas = int(spec.get("replicas", 1))
        mine = self.owned("replicasets", ns, "Deployment", name)
        paused = bool(spec.get("paused"))
        if paused and not mine:
            return  # a Deployment created paused gets no ReplicaSet until it is resumed
        if paused and not any(r["metadata"]["name"] == current for r in mine):
            # A paused deployment scales its newest ReplicaSet and rolls nothing out.
            newest = max(mine, key=lambda r: int(r["metadata"]["resourceVersion"]))
            if int(newest["spec"].get("replicas", 0)) != replicas:
                scaled = copy.deepcopy(newest)
                scaled["spec"]["replicas"] = replicas
                self.stamp(RES["replicasets"], scaled, newest)
            return
        for rs in mine:
            want = replicas if rs["metadata"]["name"] == current else 0
            if int(rs["spec"].get("replicas", 0)) != want:
                rs = copy.deepcopy(rs)
                rs["spec"]["replicas"] = want
                self.stamp(RES["replicasets"], rs, self.get(RES["replicasets"], ns, rs["metadata"]["name"]))
        if not any(r["metadata"]["name"] == current for r in mine):
            labels = dict((template.get("metadata") or {}).get("labels") or {})
            labels["pod-template-hash"] = h
            tpl = copy.deepcopy(template)
            tpl.setdefault("metadata", {})["labels"] = labels
            sel = copy.deepcopy(spec.get("selector") or {"matchLabels": {}})
            sel.setdefault("matchLabels", {})["pod-template-hash"] = h
            rs = {"metadata": {"name": current, "namespace": ns, "labels": labels,
                               "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                                                    "uid": md["uid"], "controller": True,
                                                    "blockOwnerDeletion": True}]},
                  "spec": {"replicas": replicas, "selector": sel, "template": tpl}}
            self.stamp(RES["replicasets"], rs)

    def reconcile_replicaset(self, rs):
        md, spec = rs["metadata"], rs.get("spec") or {}
        ns, name = md["namespace"], md["name"]
        pods = [p for p in self.owned("pods", ns, "ReplicaSet", name) if not p["metadata"].get("deletionTimestamp")]
        want = int(spec.get("replicas", 1))
        template = spec.get("template") or {}
        labels = (template.get("metadata") or {}).get("labels") or {}
        while len(pods) < want:
            pods.append(self.new_pod(ns, f"{name}-{self.random_suffix()}", labels, template, "ReplicaSet", name,
                                     md["uid"]))
        if len(pods) > want:
            pods.sort(key=lambda p: (p["metadata"]["creationTimestamp"], p["metadata"]["name"]))
            for p in pods[want:]:
                self.remove(RES["pods"], ns, p["metadata"]["name"])
            pods = pods[:want]
        ready = sum(1 for p in pods if self.pod_ready(p))
        self.set_status("replicasets", rs, {"replicas": len(pods), "fullyLabeledReplicas": len(pods),
                                            "readyReplicas": ready, "availableReplicas": ready,
                                            "observedGeneration": md.get("generation", 1)})

    def deployment_status(self, d):
        md, spec = d["metadata"], d.get("spec") or {}
        h = self.template_hash(spec.get("template") or {})
        pods, updated = [], 0
        for rs in self.owned("replicasets", md["namespace"], "Deployment", md["name"]):
            mine = self.owned("pods", md["namespace"], "ReplicaSet", rs["metadata"]["name"])
            pods += mine
            if rs["metadata"]["name"].endswith("-" + h):
                updated += len(mine)
        ready = sum(1 for p in pods if self.pod_ready(p))
        status = {"observedGeneration": md.get("generation", 1), "replicas": len(pods), "updatedReplicas": updated,
                  "readyReplicas": ready, "availableReplicas": ready,
                  "conditions": [{"type": "Available", "status": "True" if ready >= int(spec.get("replicas", 1))
                                  else "False", "reason": "MinimumReplicasAvailable"},
                                 {"type": "Progressing", "status": "Unknown" if spec.get("paused") else "True",
                                  "reason": "DeploymentPaused" if spec.get("paused") else
                                  "NewReplicaSetAvailable"}]}
        self.set_status("deployments", d, status)

    def reconcile_statefulset(self, s):
        md, spec = s["metadata"], s.get("spec") or {}
        ns, name = md["namespace"], md["name"]
        template = spec.get("template") or {}
        revision = f"{name}-{self.template_hash(template)}"
        want = int(spec.get("replicas", 1))
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        pods = {p["metadata"]["name"]: p for p in self.owned("pods", ns, "StatefulSet", name)}
        for i in range(want):
            pname = f"{name}-{i}"
            pod = pods.get(pname)
            if pod is not None and pod["metadata"].get("labels", {}).get("controller-revision-hash") != revision:
                self.remove(RES["pods"], ns, pname)  # rolling update: replaced with the new revision
                pod = None
            if pod is None:
                extra = {"hostname": pname}
                volumes = list(copy.deepcopy((template.get("spec") or {}).get("volumes") or []))
                for vct in spec.get("volumeClaimTemplates") or []:
                    claim = f"{vct['metadata']['name']}-{pname}"
                    volumes.append({"name": vct["metadata"]["name"], "persistentVolumeClaim": {"claimName": claim}})
                    if self.get(RES["persistentvolumeclaims"], ns, claim) is None:
                        pvc = {"metadata": {"name": claim, "namespace": ns, "labels": dict(labels),
                                            "finalizers": ["kubernetes.io/pvc-protection"]},
                               "spec": copy.deepcopy(vct.get("spec") or {}),
                               "status": {"phase": "Bound", "accessModes": (vct.get("spec") or {}).get(
                                   "accessModes", ["ReadWriteOnce"]),
                                          "capacity": ((vct.get("spec") or {}).get("resources") or {}).get(
                                              "requests", {"storage": "1Gi"})}}
                        pvc["spec"].setdefault("volumeName", f"pvc-{self.random_suffix(8)}")
                        self.stamp(RES["persistentvolumeclaims"], pvc)
                if volumes:
                    extra["volumes"] = volumes
                plabels = dict(labels)
                plabels.update({"controller-revision-hash": revision,
                                "statefulset.kubernetes.io/pod-name": pname,
                                "apps.kubernetes.io/pod-index": str(i)})
                self.new_pod(ns, pname, plabels, template, "StatefulSet", name, md["uid"], extra)
        for pname, pod in pods.items():
            m = re.fullmatch(re.escape(name) + r"-(\d+)", pname)
            if m and int(m.group(1)) >= want:
                self.remove(RES["pods"], ns, pname)
        mine = self.owned("pods", ns, "StatefulSet", name)
        ready = sum(1 for p in mine if self.pod_ready(p))
        self.set_status("statefulsets", s, {"observedGeneration": md.get("generation", 1), "replicas": len(mine),
                                            "readyReplicas": ready, "availableReplicas": ready,
                                            "currentReplicas": len(mine), "updatedReplicas": len(mine),
                                            "currentRevision": revision, "updateRevision": revision})

    def pvc_users(self, ns, claim):
        return [p for p in self.items("pods", ns)
                if any((v.get("persistentVolumeClaim") or {}).get("claimName") == claim
                       for v in (p.get("spec") or {}).get("volumes") or [])]

    def reconcile_pvcs(self):
        for pvc in self.items("persistentvolumeclaims"):
            md = pvc["metadata"]
            if md.get("deletionTimestamp") and not self.pvc_users(md["namespace"], md["name"]):
                self.remove(RES["persistentvolumeclaims"], md["namespace"], md["name"])

    def pdb_status(self, pdb):
        md, spec = pdb["metadata"], pdb.get("spec") or {}
        pods = [p for p in self.items("pods", md["namespace"])
                if not p["metadata"].get("deletionTimestamp")
                and selector_object_matches(spec.get("selector"), p["metadata"].get("labels"))]
        expected = len(pods)
        healthy = sum(1 for p in pods if self.pod_ready(p))

        def amount(v, total, round_up):
            if isinstance(v, str) and v.endswith("%"):
                pct = int(v[:-1])
                return -(-pct * total // 100) if round_up else pct * total // 100
            return int(v)

        if "minAvailable" in spec:
            desired = amount(spec["minAvailable"], expected, True)
        elif "maxUnavailable" in spec:
            desired = max(0, expected - amount(spec["maxUnavailable"], expected, True))
        else:
            desired = expected
        status = {"observedGeneration": md.get("generation", 1), "disruptionsAllowed": max(0, healthy - desired),
                  "currentHealthy": healthy, "desiredHealthy": desired, "expectedPods": expected,
                  "conditions": [{"type": "DisruptionAllowed", "status": "True" if healthy > desired else "False",
                                  "reason": "SufficientPods" if healthy > desired else "InsufficientPods",
                                  "observedGeneration": md.get("generation", 1)}]}
        self.set_status("poddisruptionbudgets", pdb, status)

    def matching_pdbs(self, pod):
        return [p for p in self.items("poddisruptionbudgets", pod["metadata"]["namespace"])
                if selector_object_matches((p.get("spec") or {}).get("selector"), pod["metadata"].get("labels"))]


RES = {r.name: r for r in RESOURCES}


def deployment(ns, name, replicas, labels=None, paused=False):
    labels = labels or {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": dict(labels)},
            "spec": {"replicas": replicas, "paused": paused, "selector": {"matchLabels": dict(labels)},
                     "strategy": {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": {"containers": [{"name": name, "image": f"registry.example/{name}:1.0"}]}}}}


def pdb(ns, name, selector, **spec):
    body = {"selector": {"matchLabels": selector}}
    body.update(spec)
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name, "namespace": ns},
            "spec": body}


def default_world():
    """The demo world of PRODUCT.md plus the cases the executor's tests need."""
    objs = [{"kind": "Namespace", "metadata": {"name": n}} for n in ("default", "kube-system", "production")]
    for name in ("node-a", "node-b", "10.0.3.7"):
        objs.append({"kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                                                                            "kubernetes.io/os": "linux"}},
                     "spec": {}, "status": {
                         "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                         "addresses": [{"type": "Hostname", "address": name}],
                         "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                                      "containerRuntimeVersion": "containerd://1.7.24"}}})
    objs += [
        deployment("production", "frontend", 3),
        deployment("production", "order-api", 2),
        deployment("production", "checkout", 1),  # paused after its first rollout (build_world)
        deployment("production", "shop-backend", 2, labels={"app": "shop"}),
        deployment("default", "web", 2),
        {"apiVersion": "apps/v1", "kind": "StatefulSet",
         "metadata": {"name": "postgres-db", "namespace": "production", "labels": {"app": "postgres-db"}},
         "spec": {"replicas": 1, "serviceName": "postgres-db",
                  "selector": {"matchLabels": {"app": "postgres-db"}},
                  "template": {"metadata": {"labels": {"app": "postgres-db", "tier": "db"}},
                               "spec": {"containers": [{"name": "postgres", "image": "postgres:16"}]}},
                  "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                            "spec": {"accessModes": ["ReadWriteOnce"],
                                                     "resources": {"requests": {"storage": "10Gi"}},
                                                     "storageClassName": "standard"}}]}},
        pdb("production", "frontend-pdb", {"app": "frontend"}, minAvailable=2),
        pdb("production", "order-api-pdb", {"app": "order-api"}, minAvailable=2),
        pdb("production", "postgres-db-pdb", {"app": "postgres-db"}, maxUnavailable=1),
        pdb("production", "db-tier-pdb", {"tier": "db"}, maxUnavailable=1),
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
         "metadata": {"name": "scratch-data", "namespace": "production",
                      "finalizers": ["kubernetes.io/pvc-protection"]},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}},
                  "storageClassName": "standard", "volumeName": "pvc-scratch"},
         "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"}}},
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "debug-shell", "namespace": "production", "labels": {"run": "debug-shell"}},
         "spec": {"containers": [{"name": "shell", "image": "busybox:1.36"}], "nodeName": "node-a"},
         "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                    "containerStatuses": [{"name": "shell", "ready": True, "restartCount": 2, "started": True,
                                           "image": "busybox:1.36", "state": {"running": {}}}],
                    "podIP": "10.244.9.9"}},
    ]
    return objs


KIND_TO_RESOURCE = {r.kind: r for r in RESOURCES}


def load_objects(world, objs):
    for o in objs:
        res = KIND_TO_RESOURCE.get(o.get("kind"))
        if res is None:
            raise ValueError(f"unknown kind {o.get('kind')!r}")
        o = copy.deepcopy(o)
        md = o.setdefault("metadata", {})
        if res.namespaced:
            md.setdefault("namespace", "default")
        old = world.get(res, md.get("namespace", ""), md["name"])
        world.stamp(res, o, old)


def build_world(spec, seed=1):
    world = World(seed)
    world.clock = time.time() - 7200
    if spec == "default":
        objs = default_world()
    elif spec == "empty":
        objs = [{"kind": "Namespace", "metadata": {"name": "default"}}]
    else:
        with open(spec) as f:
            data = json.load(f)
        objs = data["objects"] if isinstance(data, dict) else data
    load_objects(world, objs)
    world.reconcile()
    if spec == "default":
        live = world.get(RES["deployments"], "production", "checkout")
        paused = copy.deepcopy(live)
        paused["spec"]["paused"] = True
        world.stamp(RES["deployments"], paused, live)
        world.reconcile()
    world.clock = None
    return world


# ---------------------------------------------------------------------------------------------------------------
# Tables for `kubectl get` (Accept: application/json;as=Table;v=v1;g=meta.k8s.io).

def col(name, typ="string", desc="", priority=0, fmt=""):
    return {"name": name, "type": typ, "format": fmt, "description": desc, "priority": priority}


def pod_row(p):
    st = p.get("status") or {}
    cs = st.get("containerStatuses") or []
    ready = sum(1 for c in cs if c.get("ready"))
    restarts = sum(int(c.get("restartCount", 0)) for c in cs)
    phase = "Terminating" if p["metadata"].get("deletionTimestamp") else st.get("phase", "Unknown")
    return [p["metadata"]["name"], f"{ready}/{len(cs)}", phase, restarts, human_age(p["metadata"]["creationTimestamp"]),
            st.get("podIP", "<none>"), (p.get("spec") or {}).get("nodeName", "<none>")]


def table_for(res, objs):
    name_col = col("Name", "string", "Name must be unique within a namespace.", 0, "name")
    age = col("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object "
                               "was created.")
    if res.name == "pods":
        cols = [name_col, col("Ready"), col("Status"), col("Restarts", "string"), age, col("IP", priority=1),
                col("Node", priority=1)]
        rows = [pod_row(o) for o in objs]
    elif res.name == "deployments":
        cols = [name_col, col("Ready"), col("Up-to-date", "integer"), col("Available", "integer"), age]
        rows = [[o["metadata"]["name"],
                 f"{o['status'].get('readyReplicas', 0)}/{o['spec'].get('replicas', 1)}",
                 o["status"].get("updatedReplicas", 0), o["status"].get("availableReplicas", 0),
                 human_age(o["metadata"]["creationTimestamp"])] for o in objs]
    elif res.name in ("statefulsets",):
        cols = [name_col, col("Ready"), age]
        rows = [[o["metadata"]["name"], f"{o['status'].get('readyReplicas', 0)}/{o['spec'].get('replicas', 1)}",
                 human_age(o["metadata"]["creationTimestamp"])] for o in objs]
    elif res.name == "replicasets":
        cols = [name_col, col("Desired", "integer"), col("Current", "integer"), col("Ready", "integer"), age]
        rows = [[o["metadata"]["name"], o["spec"].get("replicas", 1), o["status"].get("replicas", 0),
                 o["status"].get("readyReplicas", 0), human_age(o["metadata"]["creationTimestamp"])] for o in objs]
    elif res.name == "nodes":
        cols = [name_col, col("Status"), col("Roles"), age, col("Version")]
        rows = []
        for o in objs:
            ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                        for c in (o.get("status") or {}).get("conditions") or [])
            status = "Ready" if ready else "NotReady"
            if (o.get("spec") or {}).get("unschedulable"):
                status += ",SchedulingDisabled"
            rows.append([o["metadata"]["name"], status, "<none>", human_age(o["metadata"]["creationTimestamp"]),
                         ((o.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion", "")])
    elif res.name == "persistentvolumeclaims":
        cols = [name_col, col("Status"), col("Volume"), col("Capacity"), col("Access Modes"), col("StorageClass"),
                age]
        rows = [[o["metadata"]["name"],
                 "Terminating" if o["metadata"].get("deletionTimestamp") else o["status"].get("phase", "Pending"),
                 o["spec"].get("volumeName", ""), (o["status"].get("capacity") or {}).get("storage", ""),
                 ",".join({"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX"}.get(m, m)
                          for m in o["spec"].get("accessModes") or []),
                 o["spec"].get("storageClassName", "<unset>"), human_age(o["metadata"]["creationTimestamp"])]
                for o in objs]
    elif res.name == "poddisruptionbudgets":
        cols = [name_col, col("Min Available"), col("Max Unavailable"), col("Allowed Disruptions", "integer"), age]
        rows = [[o["metadata"]["name"], str(o["spec"].get("minAvailable", "N/A")),
                 str(o["spec"].get("maxUnavailable", "N/A")), o["status"].get("disruptionsAllowed", 0),
                 human_age(o["metadata"]["creationTimestamp"])] for o in objs]
    elif res.name == "namespaces":
        cols = [name_col, col("Status"), age]
        rows = [[o["metadata"]["name"], "Active", human_age(o["metadata"]["creationTimestamp"])] for o in objs]
    else:
        cols = [name_col, age]
        rows = [[o["metadata"]["name"], human_age(o["metadata"]["creationTimestamp"])] for o in objs]
    return cols, rows


# ---------------------------------------------------------------------------------------------------------------
# The HTTP front.

class Rules:
    def __init__(self):
        self.lock = threading.Lock()
        self.faults = []
        self.deny = []
        self.webhook = None

    def take_fault(self, method, path):
        with self.lock:
            for rule in self.faults:
                if rule.get("method") and rule["method"].upper() != method:
                    continue
                if not re.search(rule.get("path", ""), path):
                    continue
                times = rule.get("times", -1)
                if times == 0:
                    continue
                if times > 0:
                    rule["times"] = times - 1
                return dict(rule)
        return None

    def denied(self, verb, group, resource, subresource, namespace, name):
        attrs = {"verb": verb, "group": group, "resource": resource, "subresource": subresource or "",
                 "namespace": namespace or "", "name": name or ""}
        with self.lock:
            for rule in self.deny:
                if all(rule.get(k, "*") in ("*", attrs[k]) for k in attrs):
                    return True
        return False

    def refuses_dry_run(self, resource, subresource):
        with self.lock:
            w = self.webhook
        if not w or not w.get("name") or not w.get("refuse_dry_run", True):
            return None
        full = resource + ("/" + subresource if subresource else "")
        for r in w.get("resources") or ["*"]:
            if r in ("*", full, resource + "/*"):
                return w["name"]
        return None


class State:
    def __init__(self, args):
        self.args = args
        self.world = build_world(args.world)
        self.rules = Rules()
        self.log_lock = threading.Lock()
        self.requests = []
        self.record = open(args.record, "a", encoding="utf-8") if args.record else None

    def log(self, entry):
        with self.log_lock:
            self.requests.append(entry)
            if self.record:
                self.record.write(json.dumps(entry) + "\n")
                self.record.flush()


VERB_OF = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-apiserver-test"
    sys_version = ""

    def log_message(self, fmt, *args):  # quiet: the request log is the record
        pass

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                self.request.close()
                raise
            self.request.settimeout(None)
        super().setup()

    @property
    def state(self):
        return self.server.state

    # -- plumbing ----------------------------------------------------------------------------------------------

    def send_json(self, code, body, headers=None, content_type="application/json"):
        self.send_bytes(code, json.dumps(body).encode(), content_type, headers)

    def send_bytes(self, code, data, content_type, headers=None):
        entry, self.entry = getattr(self, "entry", None), None
        if entry is not None:  # logged before the answer leaves: a client that got it finds it in the log
            entry["status"] = code
            self.state.log(entry)
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def user(self):
        args = self.state.args
        if isinstance(self.request, ssl.SSLSocket):
            cert = self.request.getpeercert()
            if cert:
                for rdn in cert.get("subject", ()):
                    for k, v in rdn:
                        if k == "commonName":
                            return v
        auth = self.headers.get("Authorization", "")
        if args.token:
            return args.user if auth == f"Bearer {args.token}" else None
        if args.client_ca:
            return None
        return args.user

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query, keep_blank_values=True)
        body = self.read_body()
        if path.startswith("/_control/"):
            self.entry = None
            try:
                self.control(method, path, body)
            except Exception as e:  # noqa: BLE001 - a test's mistake must be visible, not fatal
                self.send_json(400, {"error": str(e)})
            return
        user = self.user()
        entry = {"time": time.time(), "method": method, "path": path, "query": url.query,
                 "content_type": self.headers.get("Content-Type", ""), "accept": self.headers.get("Accept", ""),
                 "body": body.decode("utf-8", "replace"), "user": user}
        self.entry = entry
        fault = self.state.rules.take_fault(method, path)
        try:
            if fault:
                action = fault.get("action", "status")
                if action == "delay":
                    time.sleep(float(fault.get("seconds", 1)))
                elif action == "hang":
                    entry["status"] = "hang"
                    self.entry = None
                    self.state.log(entry)
                    time.sleep(float(fault.get("seconds", 3600)))
                    self.close_connection = True
                    return
                elif action == "close":
                    entry["status"] = "closed"
                    self.entry = None
                    self.state.log(entry)
                    self.close_connection = True
                    self.request.shutdown(socket.SHUT_RDWR)
                    return
                else:
                    code = int(fault.get("status", 500))
                    reasons = {500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout",
                               429: "TooManyRequests", 409: "Conflict", 403: "Forbidden", 404: "NotFound"}
                    raise ApiError(code, fault.get("reason", reasons.get(code, "InternalError")),
                                   fault.get("message", "injected fault"))
            if user is None:
                raise ApiError(401, "Unauthorized", "Unauthorized")
            self.api(method, path, query, body, user)
        except ApiError as e:
            self.send_json(e.code, e.body(), e.headers)
        except (BrokenPipeError, ConnectionResetError):
            return
        except Exception as e:  # noqa: BLE001 - a bug in the test server answers 500, visibly
            self.send_json(500, ApiError(500, "InternalError", f"test server bug: {e!r}").body())

    # -- test control ------------------------------------------------------------------------------------------

    def control(self, method, path, body):
        st, world = self.state, self.state.world
        data = json.loads(body) if body else {}
        if path == "/_control/requests" and method == "GET":
            with st.log_lock:
                return self.send_json(200, {"requests": list(st.requests)})
        if path == "/_control/requests/clear":
            with st.log_lock:
                st.requests.clear()
            return self.send_json(200, {})
        if path == "/_control/faults":
            with st.rules.lock:
                st.rules.faults = list(data.get("rules") or [])
            return self.send_json(200, {})
        if path == "/_control/deny":
            with st.rules.lock:
                st.rules.deny = list(data.get("rules") or [])
            return self.send_json(200, {})
        if path == "/_control/webhook":
            with st.rules.lock:
                st.rules.webhook = data if data.get("name") else None
            return self.send_json(200, {})
        if path == "/_control/objects" and method == "GET":
            with world.lock:
                return self.send_json(200, {"objects": list(world.objects.values()), "resourceVersion": str(world.rv)})
        if path == "/_control/objects":
            with world.lock:
                load_objects(world, data.get("objects") or [])
                world.reconcile()
            return self.send_json(200, {})
        if path == "/_control/delete":
            with world.lock:
                world.remove(RES[data["resource"]], data.get("namespace", ""), data["name"])
                world.reconcile()
            return self.send_json(200, {})
        if path == "/_control/reset":
            st.world = build_world(data.get("world", "default"))
            return self.send_json(200, {})
        self.send_json(404, {"error": "unknown control path"})

    # -- the API -----------------------------------------------------------------------------------------------

    def api(self, method, path, query, body, user):
        parts = [p for p in path.split("/") if p]
        if path in ("/version", "/version/"):
            return self.send_json(200, SERVER_VERSION)
        if parts == ["openapi", "v2"]:
            if OPENAPI_PROTOBUF in self.headers.get("Accept", ""):
                # As kube-openapi answers it: the media type above does not parse as one (Go's mime rejects '@').
                return self.send_bytes(200, openapi_protobuf(), "application/octet-stream")
            return self.send_json(200, openapi_json())
        if parts[:1] == ["openapi"] or parts[:1] == ["swagger.json"]:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if parts == ["api"]:
            host = self.headers.get("Host", "127.0.0.1")
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": host}]})
        if parts == ["apis"]:
            groups = []
            for g in GROUP_ORDER:
                gv = {"groupVersion": f"{g}/v1", "version": "v1"}
                groups.append({"name": g, "versions": [gv], "preferredVersion": gv})
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        if parts[:1] == ["api"] and len(parts) >= 2:
            group, rest = "", parts[2:]
            if parts[1] != "v1":
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
        elif parts[:1] == ["apis"] and len(parts) >= 2:
            group = parts[1]
            if group not in GROUP_ORDER:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            if len(parts) == 2:
                gv = {"groupVersion": f"{group}/v1", "version": "v1"}
                return self.send_json(200, {"kind": "APIGroup", "apiVersion": "v1", "name": group,
                                            "versions": [gv], "preferredVersion": gv})
            if parts[2] != "v1":
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            rest = parts[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if not rest:
            return self.send_json(200, self.resource_list(group))
        resources = BY_GROUP.get(group, {})
        ns = None
        namespace_itself = group == "" and rest[0] == "namespaces" and (
            len(rest) <= 2 or (len(rest) == 3 and rest[2] in ("status", "finalize")))
        if rest[0] == "namespaces" and not namespace_itself:
            if len(rest) < 3:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            ns, rest = rest[1], rest[2:]
        res = resources.get(rest[0])
        if res is None or (ns is not None and not res.namespaced):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if len(rest) > 3 or (sub and sub not in res.subresources):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        verb = VERB_OF[method]
        if method == "GET" and name is None:
            verb = "watch" if query.get("watch", [""])[0] in ("1", "true") else "list"
        if method == "DELETE" and name is None:
            verb = "deletecollection"
        if self.state.rules.denied(verb, group, res.name, sub, ns, name):
            self.forbid(user, verb, res, sub, ns, name)
        dry_run = query.get("dryRun", [])
        if dry_run and dry_run != ["All"]:
            raise bad_request(f'Invalid dry run value: "{dry_run[0]}"; supported values: "All"')
        world = self.state.world
        with world.lock:
            return self.resource_call(world, method, verb, res, ns, name, sub, query, body, bool(dry_run), user)

    def forbid(self, user, verb, res, sub, ns, name):
        what = res.name + ("/" + sub if sub else "")
        where = f' in the namespace "{ns}"' if ns else " at the cluster scope"
        msg = (f'{res.qualified} "{name}" is forbidden: ' if name else f"{res.qualified} is forbidden: ") + \
              f'User "{user}" cannot {verb} resource "{what}" in API group "{res.group}"{where}'
        raise ApiError(403, "Forbidden", msg, details_of(res, name or ""))

    def resource_list(self, group):
        out = []
        for res in RESOURCES:
            if res.group != group:
                continue
            entry = {"name": res.name, "singularName": res.singular, "namespaced": res.namespaced, "kind": res.kind,
                     "verbs": res.verbs}
            if res.short:
                entry["shortNames"] = res.short
            if res.categories:
                entry["categories"] = res.categories
            out.append(entry)
            for sub, spec in res.subresources.items():
                e = {"name": f"{res.name}/{sub}", "singularName": "", "namespaced": res.namespaced}
                if spec is None:
                    e.update({"kind": res.kind, "verbs": ["get", "patch", "update"]})
                else:
                    e.update({"group": spec[0], "version": spec[1], "kind": spec[2], "verbs": spec[3]})
                out.append(e)
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/v1" if group else "v1",
                "resources": out}

    def parse_json(self, body):
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype == "application/vnd.kubernetes.protobuf":
            return decode_protobuf_object(body)
        try:
            return json.loads(body or b"{}")
        except ValueError as e:
            raise bad_request(f"the body of the request was in an unknown format: {e}")

    def wants_table(self):
        return "as=Table" in self.headers.get("Accept", "")

    def resource_call(self, world, method, verb, res, ns, name, sub, query, body, dry_run, user):
        if res.name == "selfsubjectaccessreviews":
            if method != "POST" or name:
                raise ApiError(405, "MethodNotAllowed", f"the server does not allow this method on the requested "
                                                        f"resource")
            return self.access_review(self.parse_json(body), user)
        if verb == "watch":
            raise ApiError(405, "MethodNotAllowed", "watch is not served by this test server")
        if verb == "list":
            return self.list(world, res, ns, query)
        if verb == "get":
            obj = self.must_get(world, res, ns, name)
            if sub == "scale":
                return self.send_json(200, self.scale_of(res, obj))
            if sub is None and self.wants_table():
                return self.send_table(res, [obj], query, str(world.rv))
            return self.send_json(200, obj)
        if method == "POST":
            if sub == "eviction":
                return self.evict(world, ns, name, self.parse_json(body), dry_run)
            if name:
                raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                                                        "resource")
            return self.create(world, res, ns, self.parse_json(body), dry_run, sub)
        if verb == "deletecollection":
            raise ApiError(405, "MethodNotAllowed", "deletecollection is not served by this test server")
        if method == "DELETE":
            return self.delete(world, res, ns, name, self.parse_json(body) if body else {}, dry_run)
        # PUT / PATCH
        old = self.must_get(world, res, ns, name)
        current = self.scale_of(res, old) if sub == "scale" else old
        if method == "PUT":
            new = self.parse_json(body)
            sent_rv = (new.get("metadata") or {}).get("resourceVersion")
        else:
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            patch = self.parse_json(body)
            if ctype == "application/strategic-merge-patch+json":
                new = strategic_merge_patch(current, patch)
            elif ctype == "application/merge-patch+json":
                new = merge_patch(current, patch)
            elif ctype == "application/json-patch+json":
                new = json_patch(current, patch)
            else:
                raise ApiError(415, "UnsupportedMediaType", f'the body of the request was in an unknown format - '
                                                            f'accepted media types include: application/json-patch+json, '
                                                            f'application/merge-patch+json, application/strategic-merge-patch+json')
            sent_rv = (new.get("metadata") or {}).get("resourceVersion")
        if sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
            raise conflict(res, name, "the object has been modified; please apply your changes to the latest "
                                      "version and try again")
        if (new.get("metadata") or {}).get("name") not in (None, name):
            raise bad_request(f"the name of the object ({new['metadata']['name']}) does not match the name on the URL "
                              f"({name})")
        self.admit(res, sub, dry_run)
        if sub == "scale":
            replicas = (new.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise invalid(res, name, "spec.replicas", f"Invalid value: {replicas!r}: must be greater than or "
                                                          f"equal to 0")
            updated = copy.deepcopy(old)
            updated["spec"]["replicas"] = replicas
        elif sub == "status":
            updated = copy.deepcopy(old)
            updated["status"] = new.get("status") or {}
        else:
            updated = copy.deepcopy(new)
            updated.setdefault("metadata", {})
            for k in ("uid", "creationTimestamp", "namespace", "name"):
                if k in old["metadata"]:
                    updated["metadata"][k] = old["metadata"][k]
            if sub is None and "status" in old:
                updated["status"] = old["status"]  # the main resource ignores status changes
            self.validate(res, updated)
        if dry_run:
            result = copy.deepcopy(updated)
            result["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        else:
            result = world.stamp(res, updated, old)
            world.reconcile()
            result = world.get(res, ns, name) or result
        return self.send_json(200, self.scale_of(res, result) if sub == "scale" else result)

    def validate(self, res, obj):
        spec = obj.get("spec") or {}
        name = obj["metadata"].get("name", "")
        if res.name in ("deployments", "statefulsets", "replicasets"):
            r = spec.get("replicas", 1)
            if not isinstance(r, int) or r < 0:
                raise invalid(res, name, "spec.replicas", f"Invalid value: {r!r}: must be greater than or equal to 0")
        if res.name == "nodes" and "unschedulable" in spec and not isinstance(spec["unschedulable"], bool):
            raise invalid(res, name, "spec.unschedulable", "Invalid value: must be a boolean")

    def admit(self, res, sub, dry_run):
        if dry_run:
            hook = self.state.rules.refuses_dry_run(res.name, sub)
            if hook:
                raise bad_request(f'admission webhook "{hook}" does not support dry run')

    def must_get(self, world, res, ns, name):
        obj = world.get(res, ns, name)
        if obj is None:
            raise not_found(res, name)
        return copy.deepcopy(obj)

    def scale_of(self, res, obj):
        if res.name not in ("deployments", "statefulsets", "replicasets"):
            return obj
        md = obj["metadata"]
        sel = (obj.get("spec") or {}).get("selector") or {}
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": md["name"], "namespace": md["namespace"], "uid": md["uid"],
                             "resourceVersion": md["resourceVersion"], "creationTimestamp": md["creationTimestamp"]},
                "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)},
                "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                           "selector": selector_string(sel)}}

    def list(self, world, res, ns, query):
        label_sel = parse_label_selector(query.get("labelSelector", [""])[0])
        field_sel = query.get("fieldSelector", [""])[0]
        objs = [copy.deepcopy(o) for o in world.items(res.name, ns)
                if labels_match(label_sel, o["metadata"].get("labels")) and fields_match(field_sel, o)]
        rv = str(world.rv)
        if self.wants_table():
            return self.send_table(res, objs, query, rv)
        return self.send_json(200, {"kind": res.kind + "List", "apiVersion": res.api_version,
                                    "metadata": {"resourceVersion": rv}, "items": objs})

    def send_table(self, res, objs, query, rv):
        cols, rows = table_for(res, objs)
        include = query.get("includeObject", ["Metadata"])[0]
        trows = []
        for o, cells in zip(objs, rows):
            row = {"cells": cells}
            if include == "Object":
                row["object"] = o
            elif include != "None":
                row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                 "metadata": o["metadata"]}
            trows.append(row)
        return self.send_json(200, {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                                    "metadata": {"resourceVersion": rv}, "columnDefinitions": cols, "rows": trows},
                              content_type="application/json;as=Table;v=v1;g=meta.k8s.io")

    def create(self, world, res, ns, obj, dry_run, sub):
        if sub:
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        md = obj.setdefault("metadata", {})
        if not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + world.random_suffix()
        name = md.get("name")
        if not name:
            raise invalid(res, "", "metadata.name", "Required value: name or generateName is required")
        if res.namespaced:
            if md.get("namespace") not in (None, ns):
                raise bad_request("the namespace of the provided object does not match the namespace sent on the "
                                  "request")
            md["namespace"] = ns
            if world.get(RES["namespaces"], "", ns) is None:
                raise ApiError(404, "NotFound", f'namespaces "{ns}" not found',
                               {"name": ns, "kind": "namespaces"})
        if world.get(res, ns, name) is not None:
            raise ApiError(409, "AlreadyExists", f'{res.qualified} "{name}" already exists', details_of(res, name))
        self.validate(res, obj)
        self.admit(res, None, dry_run)
        md.pop("resourceVersion", None)
        if dry_run:
            obj["apiVersion"], obj["kind"] = res.api_version, res.kind
            md.setdefault("uid", str(uuid.uuid4()))
            md.setdefault("creationTimestamp", rfc3339(time.time()))
            return self.send_json(201, obj)
        created = world.stamp(res, obj)
        world.reconcile()
        return self.send_json(201, world.get(res, ns, name) or created)

    def check_preconditions(self, res, obj, options):
        pre = options.get("preconditions") or {}
        md = obj["metadata"]
        if pre.get("uid") and pre["uid"] != md["uid"]:
            raise conflict(res, md["name"], f"Precondition failed: UID in precondition: {pre['uid']}, UID in object "
                                            f"meta: {md['uid']}")
        if pre.get("resourceVersion") and pre["resourceVersion"] != md["resourceVersion"]:
            raise conflict(res, md["name"], f"Precondition failed: ResourceVersion in precondition: "
                                            f"{pre['resourceVersion']}, ResourceVersion in object meta: "
                                            f"{md['resourceVersion']}")

    def delete(self, world, res, ns, name, options, dry_run):
        obj = self.must_get(world, res, ns, name)
        self.check_preconditions(res, obj, options)
        dry_run = dry_run or options.get("dryRun") == ["All"]
        self.admit(res, None, dry_run)
        if res.name == "persistentvolumeclaims" and world.pvc_users(ns, name):
            obj["metadata"].setdefault("deletionTimestamp", rfc3339(time.time()))
            obj["metadata"]["deletionGracePeriodSeconds"] = 0
            if not dry_run:
                obj = world.stamp(res, obj, world.get(res, ns, name))
            return self.send_json(200, obj)
        if not dry_run:
            world.remove(res, ns, name)
            world.reconcile()
        if res.name == "pods" or res.name == "persistentvolumeclaims":
            obj["metadata"]["deletionTimestamp"] = rfc3339(time.time())
            obj["metadata"]["deletionGracePeriodSeconds"] = int(options.get("gracePeriodSeconds", 30))
            return self.send_json(200, obj)
        return self.send_json(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                    "details": details_of(res, name) | {"uid": obj["metadata"]["uid"]}})

    def evict(self, world, ns, name, eviction, dry_run):
        pods = RES["pods"]
        pod = self.must_get(world, pods, ns, name)
        if eviction.get("kind") not in (None, "Eviction"):
            raise bad_request(f"Eviction expected, got {eviction.get('kind')}")
        if (eviction.get("metadata") or {}).get("name") not in (None, name):
            raise bad_request("name in URL does not match name in Eviction object")
        options = eviction.get("deleteOptions") or {}
        dry_run = dry_run or options.get("dryRun") == ["All"]
        self.check_preconditions(pods, pod, options)
        self.admit(pods, "eviction", dry_run)
        created = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
        phase = (pod.get("status") or {}).get("phase")
        if pod["metadata"].get("deletionTimestamp") or phase in ("Succeeded", "Failed", "Pending"):
            if not dry_run:
                world.remove(pods, ns, name)
                world.reconcile()
            return self.send_json(201, created)
        pdbs = world.matching_pdbs(pod)
        if len(pdbs) > 1:
            msg = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
            raise ApiError(500, "InternalError", f"Internal error occurred: {msg}", {"causes": [{"message": msg}]})
        if pdbs:
            p = pdbs[0]
            st, md = p.get("status") or {}, p["metadata"]
            cause = None
            if st.get("observedGeneration", 0) < md.get("generation", 1):
                cause = f"The disruption budget {md['name']} is still being processed by the server."
            elif st.get("disruptionsAllowed", 0) <= 0:
                cause = (f"The disruption budget {md['name']} needs {st.get('desiredHealthy', 0)} healthy pods and "
                         f"has {st.get('currentHealthy', 0)} currently")
            if cause:
                raise ApiError(429, "TooManyRequests",
                               "Cannot evict pod as it would violate the pod's disruption budget.",
                               {"causes": [{"reason": "DisruptionBudget", "message": cause}]})
            if not dry_run:
                live = world.get(RES["poddisruptionbudgets"], ns, md["name"])
                live["status"]["disruptionsAllowed"] = st["disruptionsAllowed"] - 1
                live["metadata"]["resourceVersion"] = world.next_rv()
        if not dry_run:
            world.remove(pods, ns, name)
            world.reconcile()
        return self.send_json(201, created)

    def access_review(self, review, user):
        spec = review.get("spec") or {}
        ra = spec.get("resourceAttributes")
        if not ra and not spec.get("nonResourceAttributes"):
            raise invalid(RES["selfsubjectaccessreviews"], "", "spec.resourceAttributes",
                          "Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be "
                          "specified")
        allowed = True
        if ra:
            allowed = not self.state.rules.denied(ra.get("verb", ""), ra.get("group", ""), ra.get("resource", ""),
                                                  ra.get("subresource", ""), ra.get("namespace", ""),
                                                  ra.get("name", ""))
        status = {"allowed": allowed}
        if not allowed:
            status["reason"] = f'no RBAC rule allows user "{user}" this request'
        out = {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
               "metadata": {"creationTimestamp": None}, "spec": spec, "status": status}
        return self.send_json(201, out)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--world", default="default")
    ap.add_argument("--record")
    ap.add_argument("--token")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--client-ca")
    ap.add_argument("--user", default="system:serviceaccount:awoooi:awoooi-executor")
    args = ap.parse_args()
    server = Server((args.host, args.port), Handler)
    server.state = State(args)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        if args.client_ca:
            ctx.load_verify_locations(args.client_ca)
            ctx.verify_mode = ssl.CERT_OPTIONAL
        server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    # A test that dies without stopping its server must not leave it running: exit with the parent.
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
