#!/usr/bin/env python3
"""Validate ConcurrencyCodeMetadata documents against schema/metadata.schema.json.

Usage: validate_metadata.py <schema> <json>...

Every error is printed as `<file>: <json path>: <message>`, e.g.
    out/meta.json: $.blocks[0].mode: 'bare' is not one of ['bare_metal', 'runtime_assisted']
so a test log points straight at the offending field.

Exit status: 0 when every document is valid, 1 when any is invalid or is not JSON,
2 for a usage error (wrong arguments, unreadable schema, a schema that is itself invalid).
"""

import json
import sys

try:
    import jsonschema
except ImportError:  # Keep the message actionable: the package name differs from the module.
    sys.exit("validate_metadata: the Python module 'jsonschema' is missing "
             "(Debian: apt-get install python3-jsonschema; pip: pip install jsonschema)")


def json_path(path):
    """Render a jsonschema error path (a deque of keys and indices) as `$.a[0].b`."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def leaf_errors(error):
    """The most specific errors under `error`.

    `allOf`/`if`-`then` failures nest the real problem (a missing key, a wrong enum) in
    `context`; reporting only the leaves keeps the output to the lines a person can act on.
    """
    if not error.context:
        return [error]
    leaves = []
    for sub in error.context:
        leaves.extend(leaf_errors(sub))
    return leaves


def describe(error):
    message = error.message
    # The mode-dependent rules (`"runtime_assisted": {"not": {}}`, `reasons` empty or
    # non-empty) would read as "… should not be valid under {}" or as a dump of the value;
    # the schema carries a `description` for each of them that says the rule instead.
    rule = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "not":
        message = f"not allowed here: {rule}" if rule else "this key is not allowed here"
    elif error.validator in ("minItems", "maxItems") and rule:
        message = f"{rule} (has {len(error.instance)} item(s))"
    return f"{json_path(error.absolute_path)}: {message}"


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2

    schema_path, documents = argv[1], argv[2:]
    try:
        schema = load_json(schema_path)
        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print(f"{schema_path}: unusable schema: {e}", file=sys.stderr)
        return 2
    validator = validator_class(schema)

    failed = False
    for path in documents:
        try:
            document = load_json(path)
        except OSError as e:
            print(f"{path}: cannot read: {e.strerror}", file=sys.stderr)
            failed = True
            continue
        except ValueError as e:  # json.JSONDecodeError carries line and column.
            print(f"{path}: not valid JSON: {e}", file=sys.stderr)
            failed = True
            continue

        errors = []
        for error in validator.iter_errors(document):
            errors.extend(leaf_errors(error))
        # Sort by location so errors of one block stay together, in document order.
        errors.sort(key=lambda e: [str(p).zfill(8) if isinstance(p, int) else p
                                   for p in e.absolute_path])
        lines = []
        for error in errors:
            line = describe(error)
            if line not in lines:  # Several branches can report the same leaf.
                lines.append(line)
        if lines:
            failed = True
            for line in lines:
                print(f"{path}: {line}", file=sys.stderr)
        else:
            print(f"{path}: valid")

    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
