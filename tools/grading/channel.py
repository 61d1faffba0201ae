"""Reads what a graded check wrote from inside the sandbox, strictly.

Checks.require (gptcourse.grading.GradingChannel) writes one JSON file per check, `<method>.json`,
into the sandbox's channel folder. The student's code runs in that same JVM, so the file is
untrusted input: it is opened without following links, must be a small regular file, must parse
as JSON without NaN, infinities or repeated keys, and must have exactly the fields of its method,
each of its type and within its bounds. Anything else is rejected with a one-line reason, and the
check counts as not passed. Values are then judged outside the sandbox (judge.py).
"""
import json
import math
import os
import stat

FORMAT = "gptcourse-check/1"
METHODS = ("trainingStep", "evaluate", "train")
MAX_BYTES = 64 * 1024
MAX_TEXT = 2000
MAX_LIST = 100


class Rejected(ValueError):
    """A channel file that is not what Checks.require writes."""


def _text(v, where, nullable=True):
    if v is None and nullable:
        return None
    if not isinstance(v, str) or len(v) > MAX_TEXT:
        raise Rejected("%s: not a text of at most %d characters" % (where, MAX_TEXT))
    return v


def _bool(v, where):
    if not isinstance(v, bool):
        raise Rejected("%s: not true or false" % where)
    return v


def _int(v, where):
    if isinstance(v, bool) or not isinstance(v, int) or abs(v) > 2 ** 31:
        raise Rejected("%s: not a whole number" % where)
    return v


def _num(v, where):
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise Rejected("%s: not a finite number" % where)
    return float(v)


def _list(kind):
    def check(v, where):
        if not isinstance(v, list) or len(v) > MAX_LIST:
            raise Rejected("%s: not a list of at most %d items" % (where, MAX_LIST))
        return [kind(x, "%s[%d]" % (where, i)) for i, x in enumerate(v)]
    return check


def _object(fields):
    def check(v, where):
        if not isinstance(v, dict) or set(v) != set(fields):
            raise Rejected("%s: expected exactly the fields %s" % (where, ", ".join(sorted(fields))))
        return {k: fields[k](v[k], "%s.%s" % (where, k)) for k in fields}
    return check


FACTS = _object({"className": lambda v, w: _text(v, w, False), "trainingStepDeclaredBy": _text,
                 "evaluateDeclaredBy": _text, "trainDeclaredBy": _text, "extendsReference": _bool})
OBSERVATIONS = {
    "trainingStep": _object({
        "facts": FACTS, "problem": _text, "secondCall": _bool, "loss1": _num, "loss2": _num,
        "heldOutBefore": _num, "heldOutAfter1": _num, "heldOutAfter2": _num, "leftoverGradients": _bool,
        "stepAfter1": _int, "stepAfter2": _int, "loggedTrainLoss": _bool, "loggedSteps": _list(_int),
        "loggedValues": _list(_num)}),
    "evaluate": _object({
        "facts": FACTS, "problem": _text, "accuracy": _num, "loggedAccuracy": _list(_num),
        "parametersUnchanged": _bool, "forwardPasses": _int, "forwardPassesWithGraph": _int}),
    "train": _object({
        "facts": FACTS, "problem": _text, "steps": _int, "evaluations": _int, "started": _bool, "finished": _bool,
        "heldOutBefore": _num, "heldOutAfter": _num}),
}


def _no_constants(name):
    raise Rejected("%s is not allowed" % name)


def _no_repeats(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise Rejected("a field appears twice")
    return dict(pairs)


def parse(data, method):
    """{"problem": str|None, "observation": dict|None} from the bytes of `<method>.json`, or Rejected."""
    if method not in METHODS:
        raise Rejected("no check is called %r" % method)
    try:
        record = json.loads(data.decode("utf-8"), parse_constant=_no_constants, object_pairs_hook=_no_repeats)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise Rejected("not JSON (%s)" % type(e).__name__)
    record = _object({"format": lambda v, w: _text(v, w, False), "method": lambda v, w: _text(v, w, False),
                      "problem": _text, "observation": lambda v, w: v})(record, "record")
    if record["format"] != FORMAT:
        raise Rejected("format is not %s" % FORMAT)
    if record["method"] != method:
        raise Rejected("the file of %s names the method %r" % (method, record["method"]))
    if (record["problem"] is None) == (record["observation"] is None):
        raise Rejected("expected either a problem or an observation")
    observation = None if record["observation"] is None else OBSERVATIONS[method](record["observation"], method)
    return {"problem": record["problem"], "observation": observation}


def read(folder, method, owner=None):
    """parse() of folder/<method>.json; None if there is no such file. The file is opened without
    following a link, must be a regular file (owned by `owner`, if given) of at most MAX_BYTES."""
    path = os.path.join(folder, method + ".json")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise Rejected("cannot be opened as a plain file (%s)" % (e.strerror or e))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Rejected("not a plain file")
        if owner is not None and st.st_uid != owner:
            raise Rejected("not written by the submission's kernel")
        if st.st_size > MAX_BYTES:
            raise Rejected("larger than %d bytes" % MAX_BYTES)
        data = os.read(fd, MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise Rejected("larger than %d bytes" % MAX_BYTES)
    return parse(data, method)
