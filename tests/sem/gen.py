"""gen.py: random well-typed .ho programs and concrete cases for the
differential test of hoc verify's encoding against the generated C
(semdiff, docs/verifier.md "Differential testing").

A program is generated as a tree whose text is rendered on demand. Every
construct that belongs to one of the known classes of disagreement of issue
13 is a Risky node: it has a risky form (the construct) and a safe form (a
construct of the same type outside the class). Rendering with a set of safe
classes replaces the risky forms of those classes, so that

- the ctest's fixed budget avoids the classes still open (tests/sem/known.txt),
- a mismatch can be classified: if it goes away when class K is made safe,
  class K is (at least part of) its cause; if it stays with every known class
  made safe, it is a new finding.

The concrete cases (n, params, round, every process's pre-state, heard-of
sets, crashes, oracle bits) are generated here too and written as `//!` lines
(tests/sem/case.h).
"""

import random

# The known classes of issue 13 the generator can produce, by the name the
# risky nodes carry. known.txt names them by number.
CLASSES = {
    "oob": 1,        # indices out of range: mbox[p], x[i + 1], HO[p]
    "setoob": 2,     # set elements outside 0..n-1
    "pidwide": 3,    # ints stored into pids (32-bit in C)
    "emptyagg": 4,   # argmin/argmax/.sender over possibly empty (filtered) mailboxes
    "limits": 5,     # silent capacity limits: many fields, locals, where clauses
    # found by this test (not in issue 13's list): known.txt names them
    "domain": "domain",  # int and stamp quantifiers of specs range over different values
    "mmorempty": "mmorempty",  # the verifier's mmor tie axiom on an empty mailbox
    "intbinder": "intbinder",  # { q | ... } in code with q inferred an int: C that does not compile
}
CLASS_NAMES = {v: k for k, v in CLASSES.items()}

INT64_MAX = 2**63 - 1
INT64_MIN = -2**63
ENUM = ("Color", ("Red", "Green", "Blue"))
TYPES = ("int", "bool", "pid", "set", "stamp", "enum")


class Risky:
    """A construct of class cls, and the safe construct that replaces it."""
    __slots__ = ("cls", "risky", "safe")

    def __init__(self, cls, risky, safe):
        self.cls, self.risky, self.safe = cls, risky, safe


def render(x, safe):
    if isinstance(x, str):
        return x
    if isinstance(x, Risky):
        return render(x.safe if x.cls in safe else x.risky, safe)
    if isinstance(x, (list, tuple)):
        return "".join(render(y, safe) for y in x)
    return x.render(safe)


def classes_of(x, acc=None):
    """The classes of the risky nodes in x (their risky side)."""
    acc = set() if acc is None else acc
    if isinstance(x, Risky):
        acc.add(x.cls)
        classes_of(x.risky, acc)
    elif isinstance(x, (list, tuple)):
        for y in x:
            classes_of(y, acc)
    elif hasattr(x, "frags"):
        for y in x.frags():
            classes_of(y, acc)
    return acc


def paren(*parts):
    return ["("] + list(parts) + [")"]


class Stmt:
    """A statement: head text, and for if/for a body (and an else)."""

    def __init__(self, head, body=None, els=None, kind="simple"):
        self.head, self.body, self.els, self.kind = head, body, els, kind

    def frags(self):
        out = [self.head]
        if self.body is not None:
            out.append(self.body)
        if self.els is not None:
            out.append(self.els)
        return out

    def lines(self, safe, ind):
        pad = "  " * ind
        if self.kind == "simple":
            return [pad + render(self.head, safe)]
        out = [pad + render(self.head, safe) + " {"]
        out += self.body.lines(safe, ind + 1)
        if self.els is not None:
            out.append(pad + "} else {")
            out += self.els.lines(safe, ind + 1)
        out.append(pad + "}")
        return out


class Block:
    def __init__(self, stmts=None):
        self.stmts = stmts or []

    def frags(self):
        return self.stmts

    def lines(self, safe, ind):
        out = []
        for s in self.stmts:
            out += s.lines(safe, ind)
        return out

    def walk(self):
        """Every (block, statement) pair, innermost last."""
        for s in self.stmts:
            yield self, s
            if s.body is not None:
                yield from s.body.walk()
            if s.els is not None:
                yield from s.els.walk()


class Round:
    def __init__(self, name, fields, single):
        self.name, self.fields, self.single = name, fields, single
        self.extra = []  # int fields past the 16th (class limits), declared only when risky
        self.send, self.update = Block(), Block()

    def header(self, safe):
        if self.single:
            return "round %s msg %s" % (self.name, tname(self.fields[0][1]))
        fs = self.fields + ([] if "limits" in safe else [(f, "int") for f in self.extra])
        return "round %s msg (%s)" % (self.name, ", ".join("%s: %s" % (f, tname(t)) for f, t in fs))


def tname(t):
    return ENUM[0] if t == "enum" else t


class Scope:
    """What an expression may read where it is generated."""

    def __init__(self, ctx, rnd=None, ghost=False):
        self.ctx = ctx          # send, update, init, spec, assume, let
        self.rnd = rnd          # the round whose mailbox update reads
        self.ghost = ghost      # may read ghost state
        self.locals = []        # (name, type)
        self.binders = []       # (name, type, kind): kind proc (a pid in 0..n-1), msg, value
        self.inset = False      # inside a set condition, which hoc verify encodes as a count

    def child(self, inset=None):
        s = Scope(self.ctx, self.rnd, self.ghost)
        s.locals, s.binders = list(self.locals), list(self.binders)
        s.inset = self.inset if inset is None else inset
        return s

    @property
    def code(self):
        return self.ctx in ("send", "update", "init", "let")

    @property
    def spec(self):
        return self.ctx in ("spec", "assume")

    @property
    def mbox(self):
        return self.ctx == "update" and self.rnd is not None


class Program:
    def __init__(self):
        self.params = [("n", None)]      # (name, where frag); wheres as Python checks below
        self.where_checks = []           # functions of the params dict
        self.inputs, self.vars, self.oracles, self.lets = [], [], [], []
        self.rounds, self.specs = [], []
        self.uses_enum = False

    def frags(self):
        out = [w for _, w in self.params if w]
        out += [v[3] for v in self.vars if v[3] is not None]
        out += [l[2] for l in self.lets]
        for r in self.rounds:
            out += [r.send, r.update]
        out += [s[2] for s in self.specs]
        return out

    def render(self, safe=frozenset()):
        L = []
        if self.uses_enum:
            L.append("enum %s { %s }" % (ENUM[0], ", ".join(ENUM[1])))
        L.append("algorithm G {")
        for name, where in self.params:
            L.append("  param %s%s;" % (name, (" where " + render(where, safe)) if where else ""))
        for name, t in self.inputs:
            L.append("  input %s: %s;" % (name, tname(t)))
        for name, t, ghost, init in self.vars:
            init_s = (" = " + render(init, safe)) if init is not None else ""
            L.append("  %svar %s: %s%s;" % ("ghost " if ghost else "", name, tname(t), init_s))
        for name in self.oracles:
            L.append("  oracle %s: bool;" % name)
        for name, t, e in self.lets:
            L.append("  let %s = %s;" % (name, render(e, safe)))
        for r in self.rounds:
            L.append("  %s {" % r.header(safe))
            for part, blk in (("send", r.send), ("update", r.update)):
                if blk.stmts:
                    L.append("    %s {" % part)
                    L += blk.lines(safe, 3)
                    L.append("    }")
            L.append("  }")
        for kind, name, f in self.specs:
            L.append("  %s %s: %s;" % (kind, name, render(f, safe)))
        L.append("}")
        return "\n".join(L) + "\n"

    def state(self):
        """The state the cases give values for: (name, type) of inputs and vars."""
        return self.inputs + [(v[0], v[1]) for v in self.vars]


RESERVED = {"s", "S", "to", "from", "out", "env", "msgs", "states", "params", "ho", "inputs",
            "n", "id", "procs", "mbox", "HO", "min", "max", "argmin", "argmax", "mmor", "sender"}


class Gen:
    """Generates one program; knobs say how much of each construct."""

    def __init__(self, rng, knobs=None):
        self.r = rng
        self.knobs = knobs or {}
        self.p = Program()
        self.k = 0
        self.no_phase = False

    # ---- small helpers ----
    def fresh(self, stem):
        self.k += 1
        return "%s%d" % (stem, self.k)

    def chance(self, x):
        return self.r.random() < x

    def nested_ok(self, sc):
        """Whether a construct hoc verify cannot encode inside a set condition
        (a quantifier, a count, a comprehension) may go here: rarely, so that
        the differential test sees the verifier refuse them too."""
        return not sc.inset or self.chance(0.03)

    def pick(self, options):
        """options: (weight, function) pairs; tries them by weight until one
        returns something other than None."""
        opts = [(w, f) for w, f in options if w > 0]
        while opts:
            tot = sum(w for w, _ in opts)
            x = self.r.random() * tot
            for i, (w, f) in enumerate(opts):
                x -= w
                if x <= 0:
                    break
            v = opts[i][1]()
            if v is not None:
                return v
            opts.pop(i)
        return None

    def readable(self, sc, t):
        """State names of type t that sc may read (inputs, vars; ghosts when allowed)."""
        out = [name for name, ty in self.p.inputs if ty == t]
        out += [v[0] for v in self.p.vars if v[1] == t and (sc.ghost or sc.spec or not v[2])]
        if sc.ctx == "init":  # an initialiser reads inputs and earlier variables
            out = [name for name in out if name in self.init_visible]
        return out

    def state_read(self, sc, t):
        names = self.readable(sc, t)
        if not names:
            return None
        name = self.r.choice(names)
        if sc.spec:
            if t == "set" and not self.nested_ok(sc):
                return None
            return [name, "[", self.spec_index(sc), "]"]
        return name

    def local_read(self, sc, t):
        names = [n for n, ty in sc.locals if ty == t]
        names += [b[0] for b in sc.binders if b[1] == t and b[2] != "msg"]
        if sc.code:
            names += [l[0] for l in self.p.lets if l[1] == t and sc.ctx != "init"]
        return self.r.choice(names) if names else None

    def proc_binders(self, sc):
        return [b[0] for b in sc.binders if b[2] == "proc"]

    def msg_binders(self, sc):
        return [b[0] for b in sc.binders if b[2] == "msg"]

    # ---- indices and process ids ----
    def safe_pid(self, sc):
        """A pid certainly in 0..n-1."""
        opts = self.proc_binders(sc) + [m + ".sender" for m in self.msg_binders(sc)]
        if sc.code and sc.ctx != "init":
            opts.append("id")
        if not opts or self.chance(0.15):
            opts.append("0")
        return self.r.choice(opts)

    def wild_pid(self, sc, d):
        """Any int or pid expression used as a process id."""
        return self.pick([
            (3, lambda: self.expr("pid", sc, d)),
            (2, lambda: paren(self.safe_pid(sc), self.r.choice([" + 1", " - 1"]))),
            (1, lambda: "n"),
            (1, lambda: str(self.r.choice([-1, 1, 2, 63, 64]))),
            (1, lambda: self.expr("int", sc, d)),
        ])

    def index_pid(self, sc, d):
        return Risky("oob", self.wild_pid(sc, d - 1), self.safe_pid(sc))

    def spec_index(self, sc):
        binders = self.proc_binders(sc)
        safe = self.r.choice(binders) if binders else "0"
        if self.chance(0.12):
            risky = self.r.choice([paren(safe, " + 1"), "n", paren(safe, " - 1"), "1"])
            return Risky("oob", risky, safe)
        return safe

    # ---- literals ----
    def int_lit(self):
        if self.chance(0.12):
            v = self.r.choice([INT64_MAX, INT64_MIN, 2**62, 2**32, 2**31, -2**31, INT64_MAX - 1])
            return str(v) if v >= 0 else paren("-", str(-v - 1), " - 1")
        v = self.r.choice([0, 1, 2, 3, -1, -2, 5, 7, 10, 100])
        return str(v) if v >= 0 else paren(str(v))

    # ---- expressions, by type ----
    def expr(self, t, sc, d):
        """An expression of type t readable in scope sc, of depth at most d."""
        if t == "enum":
            self.p.uses_enum = True
        f = getattr(self, "e_" + t)
        v = f(sc, d)
        if v is None:
            raise RuntimeError("no %s expression" % t)
        return v

    def leaf(self, t, sc):
        return self.pick([
            (3, lambda: self.local_read(sc, t)),
            (3, lambda: self.state_read(sc, t)),
            (1, lambda: self.lit(t, sc)),
        ])

    def lit(self, t, sc):
        if t == "int":
            return self.int_lit()
        if t == "bool":
            return self.r.choice(["true", "false"])
        if t == "pid":
            return self.safe_pid(sc)
        if t == "set":
            return self.r.choice(["{}", "procs"])
        if t == "stamp":  # phase is a stamp only where one is expected: not in ?: branches
            return "never" if self.chance(0.5) or sc.spec or self.no_phase else "phase"
        if t == "enum":
            self.p.uses_enum = True
            return self.r.choice(ENUM[1])
        return None

    def e_int(self, sc, d):
        if d <= 0:
            return self.pick([(4, lambda: self.leaf("int", sc)), (1, lambda: "n")])
        sub = lambda: self.expr("int", sc, d - 1)
        return self.pick([
            (4, lambda: self.leaf("int", sc)),
            (1, lambda: "n"),
            (1, lambda: self.p.params[-1][0] if len(self.p.params) > 1 else None),
            # products of two unknowns and divisions by one are hard for Z3
            # (nonlinear, uninterpreted): rarer than by constants
            (4, lambda: paren(sub(), self.r.choice([" + ", " - "]), sub())),
            (0.7, lambda: paren(sub(), " * ", sub())),
            (1.5, lambda: paren(sub(), " * ", self.r.choice(["2", "3", "(-1)", "0", "4611686018427387904"]))),
            (0.5, lambda: paren(sub(), self.r.choice([" / ", " % "]), sub())),
            (1.5, lambda: paren(sub(), self.r.choice([" / ", " % "]), self.r.choice(["2", "3", "n", "(-1)", "0", "(-2)"]))),
            (1, lambda: paren("-", sub())),
            (1, lambda: paren(self.expr("bool", sc, d - 1), " ? ", sub(), " : ", sub())),
            (2, lambda: ["|", self.expr("set", sc, d - 1), "|"] if self.nested_ok(sc) else None),
            (1, lambda: [self.r.choice(["min", "max"]), "(", sub(), ", ", sub(), ")"]),
            (2, lambda: self.leaf("pid", sc)),
            (1, lambda: self.r.choice(["round", "phase"]) if sc.code and sc.ctx != "init" else None),
            (4, lambda: self.mbox_int(sc, d)),
            (2, lambda: self.msg_field(sc, "int")),
        ])

    def e_bool(self, sc, d):
        if d <= 0:
            return self.leaf("bool", sc)
        sub = lambda: self.expr("bool", sc, d - 1)
        return self.pick([
            (3, lambda: self.leaf("bool", sc)),
            (1, lambda: paren("!", sub())),
            (3, lambda: paren(sub(), self.r.choice([" && ", " || ", " ==> "]), sub())),
            (5, lambda: self.compare(sc, d - 1)),
            (2, lambda: paren(self.member_pid(sc, d - 1), " in ", self.expr("set", sc, d - 1))),
            (3, lambda: self.quant(sc, d - 1)),
            (2, lambda: self.r.choice(self.p.oracles) if self.p.oracles and sc.ctx == "update" else None),
            (2, lambda: paren(self.wild_pid(sc, d - 1), " in mbox") if sc.mbox else None),
            (2, lambda: self.msg_field(sc, "bool")),
            (1, lambda: self.mbox_field(sc, d, "bool")),
            (1, lambda: self.aggregate(sc, d, "bool")),
            (1, lambda: ["crashed[", self.spec_index(sc), "]"] if sc.spec else None),
        ])

    def e_pid(self, sc, d):
        if d <= 0:
            return self.pick([(3, lambda: self.leaf("pid", sc)), (1, lambda: self.safe_pid(sc))])
        return self.pick([
            (4, lambda: self.leaf("pid", sc)),
            (3, lambda: self.safe_pid(sc)),
            (1, lambda: paren(self.expr("bool", sc, d - 1), " ? ", self.expr("pid", sc, d - 1),
                              " : ", self.expr("pid", sc, d - 1))),
            (1, lambda: paren("phase % n") if sc.code and sc.ctx != "init" else None),
            (2, lambda: self.msg_field(sc, "pid")),
            (2, lambda: self.mbox_field(sc, d, "pid")),
            (2, lambda: self.aggregate(sc, d, "pid")),
            (0.05, lambda: [self.r.choice(["min", "max"]), "(", self.expr("set", sc, d - 1), ")"]),
        ])

    def e_set(self, sc, d):
        if d <= 0:
            return self.pick([(3, lambda: self.leaf("set", sc)), (1, lambda: self.set_lit(sc, 0))])
        sub = lambda: self.expr("set", sc, d - 1)
        return self.pick([
            (3, lambda: self.leaf("set", sc)),
            (3, lambda: self.set_lit(sc, d - 1)),
            (2, lambda: paren(sub(), self.r.choice([" + ", " - "]), sub())),
            (3, lambda: self.compr(sc, d - 1) if self.nested_ok(sc) else None),
            (1, lambda: paren(self.expr("bool", sc, d - 1), " ? ", sub(), " : ", sub())),
            (2, lambda: ["HO[", self.index_pid(sc, d - 1), "]"] if sc.ctx == "assume" and self.nested_ok(sc) else None),
        ])

    def e_stamp(self, sc, d):
        sub = lambda: self.expr("stamp", sc, d - 1)
        return self.pick([
            (3, lambda: self.leaf("stamp", sc)),
            (1, lambda: self.lit("stamp", sc)),
            (1, lambda: self.stamp_minmax(sc, d) if d > 0 else None),
            (1, lambda: self.stamp_cond(sc, d) if d > 0 else None),
            (2, lambda: self.msg_field(sc, "stamp")),
            (2, lambda: self.mbox_field(sc, d, "stamp")),
            (3, lambda: self.aggregate(sc, d, "stamp")),
        ])

    def stamp_minmax(self, sc, d):
        """min/max of two stamps: phase alone is a stamp only beside one."""
        saved, self.no_phase = self.no_phase, True
        try:
            first = self.expr("stamp", sc, d - 1)
        finally:
            self.no_phase = saved
        return [self.r.choice(["min", "max"]), "(", first, ", ", self.expr("stamp", sc, d - 1), ")"]

    def stamp_cond(self, sc, d):
        saved, self.no_phase = self.no_phase, True
        try:
            return paren(self.expr("bool", sc, d - 1), " ? ", self.expr("stamp", sc, d - 1), " : ",
                         self.expr("stamp", sc, d - 1))
        finally:
            self.no_phase = saved

    def e_enum(self, sc, d):
        sub = lambda: self.expr("enum", sc, d - 1)
        return self.pick([
            (3, lambda: self.leaf("enum", sc)),
            (2, lambda: self.lit("enum", sc)),
            (1, lambda: paren(self.expr("bool", sc, d - 1), " ? ", sub(), " : ", sub()) if d > 0 else None),
            (2, lambda: self.msg_field(sc, "enum")),
            (2, lambda: self.mbox_field(sc, d, "enum")),
            (2, lambda: self.aggregate(sc, d, "enum")),
        ])

    def compare(self, sc, d):
        t = self.r.choice(["int", "int", "int", "pid", "bool", "enum", "set", "stamp"])
        if t == "set" and not self.nested_ok(sc):
            t = "int"
        if t in ("int", "pid", "stamp"):
            op = self.r.choice([" < ", " <= ", " == ", " != ", " > ", " >= "])
        else:
            op = self.r.choice([" == ", " != "])
        # a formula compared in a spec has both polarities: hoc verify counts it
        sub = sc.child(inset=True) if t == "bool" and sc.spec else sc
        return paren(self.expr(t, sub, d), op, self.expr(t, sub, d))

    def member_pid(self, sc, d):
        return self.pick([(3, lambda: self.expr("pid", sc, d)), (1, lambda: self.wild_pid(sc, d))])

    def set_lit(self, sc, d):
        k = self.r.choice([0, 1, 1, 2, 3])
        elems = [Risky("setoob", self.wild_pid(sc, d), self.safe_pid(sc)) if self.chance(0.4)
                 else self.safe_pid(sc) for _ in range(k)]
        out = ["{"]
        for i, e in enumerate(elems):
            out += [", " if i else "", e]
        return out + ["}"]

    def compr(self, sc, d):
        q = self.fresh("q")
        sub = sc.child()
        sub.binders.append((q, "pid", "proc"))
        doms = ["procs"] + ([n for n, t in sc.locals if t == "set"] if sc.code else [])
        if sc.code:
            doms += self.readable(sc, "set")
        sub.inset = True
        body = self.expr("bool", sub, d)
        if self.chance(0.75):
            return ["{ ", q, " in ", self.r.choice(doms), " | ", body, " }"]
        # without a domain the binder is a process even where its first use is
        # as an int (class intbinder, fixed: its C did not compile)
        return Risky("intbinder", ["{ ", q, " | ", body, " }"], ["{ ", q, " in procs | ", body, " }"])

    def quant(self, sc, d):
        kind = self.r.choice(["pid", "pid", "pid", "bool", "enum", "int", "stamp", "mbox", "set"])
        if kind in ("pid", "int", "stamp", "mbox", "set") and not self.nested_ok(sc):
            return None
        if kind == "mbox" and (not sc.rnd or sc.rnd.single or not self.chance(0.3)):
            return None
        q = "forall" if self.chance(0.5) else "exists"
        sub = sc.child(inset=sc.inset or (sc.code and kind in ("pid", "mbox")))
        if kind == "pid":
            b = self.fresh("q")
            sub.binders.append((b, "pid", "proc"))
            doms = self.readable(sc, "set") if sc.code else []
            head = "%s: pid" % b if not doms or self.chance(0.6) else "%s in %s" % (b, self.r.choice(doms))
        elif kind in ("bool", "enum"):
            b = self.fresh("b" if kind == "bool" else "c")
            sub.binders.append((b, kind, "value"))
            head = "%s: %s" % (b, tname(kind))
            if kind == "enum":
                self.p.uses_enum = True
        elif kind in ("int", "stamp") and sc.spec:
            b = self.fresh("w" if kind == "int" else "t")
            sub.binders.append((b, kind, "value"))
            head = "%s: %s" % (b, kind)
            inner = self.expr("bool", sub, d)
            if kind == "int":
                # the drivers enumerate an int binder bounded by its guard (compiler/qdom.c);
                # the body may then use it in any way
                lo = self.r.randint(-2, 3)
                hi = lo + self.r.randint(1, 6)
                inner = ["%d <= %s && %s < %d" % (lo, b, b, hi), " ==> " if q == "forall" else " && ",
                         paren(inner)]
            else:
                # a stamp binder pinned by its guard (t == e) may be used in any way too;
                # unpinned, only in a few forms (docs/language.md), which a random body
                # rarely keeps to
                inner = [b, " == ", paren(self.expr("stamp", sc, 1)),
                         " ==> " if q == "forall" else " && ", paren(inner)]
            body = paren(q, " ", head, ". ", inner)
            return self.domain_risk(kind, body, q)
        elif kind == "mbox" and sc.mbox:
            b = self.fresh("m")
            sub.binders.append((b, "msg", "msg"))
            head = "%s in mbox" % b
        elif kind == "set" and sc.spec:  # the C ranges over the sets the state and HO hold
            q = "exists" if self.chance(0.8) else q  # a universal one is outside the verifier
            b = self.fresh("P")
            sub.binders.append((b, "set", "value"))
            head = "%s: set" % b
        else:
            return None
        return paren(q, " ", head, ". ", self.expr("bool", sub, d))

    # ---- the mailbox ----
    def fields_of(self, rnd, t):
        return [f for f, ft in rnd.fields if ft == t]

    def msg_field(self, sc, t):
        ms = self.msg_binders(sc)
        if not ms or not sc.rnd:
            return None
        m = self.r.choice(ms)
        if t == "pid" and self.chance(0.4):
            return m + ".sender"
        fs = self.fields_of(sc.rnd, t)
        if not fs:
            return m + ".sender" if t == "pid" else None
        return m if sc.rnd.single else m + "." + self.r.choice(fs)

    def mailbox(self, sc, d):
        """The mailbox, or a filtered one; and whether it is filtered."""
        if self.chance(0.45) or not self.nested_ok(sc):
            return "mbox", False
        m = self.fresh("m")
        sub = sc.child(inset=True)
        sub.binders.append((m, "msg", "msg"))
        return ["{ ", m, " in mbox | ", self.expr("bool", sub, max(d - 1, 1)), " }"], True

    def mbox_field(self, sc, d, t):
        if not sc.mbox:
            return None
        rnd = sc.rnd
        P = self.index_pid(sc, d - 1)
        if t == "pid" and not rnd.single and self.chance(0.3):
            return Risky("emptyagg", ["mbox[", P, "].sender"], self.safe_pid(sc))
        if t == "int" and rnd.extra and self.chance(0.5):  # a field past the 16th
            return Risky("limits", ["mbox[", P, "].", self.r.choice(rnd.extra)], "0")
        fs = self.fields_of(rnd, t)
        if not fs:
            return None
        return ["mbox[", P, "]"] if rnd.single else ["mbox[", P, "].", self.r.choice(fs)]

    def zero(self, t):
        return {"int": "0", "bool": "false", "pid": "0", "stamp": "never",
                "enum": ENUM[1][0]}.get(t, "0")

    def aggregate(self, sc, d, t):
        """An aggregate of the mailbox of type t."""
        if not sc.mbox:
            return None
        rnd = sc.rnd
        mb, filtered = self.mailbox(sc, d)
        proj = lambda f: mb if rnd.single else [mb, ".", f]
        ordered = [f for f, ft in rnd.fields if ft in ("int", "stamp", "pid")]
        kinds = []
        if t in ("int", "stamp", "pid") and self.fields_of(rnd, t):
            kinds += ["minmax", "minmax"]
        if t in ("int", "pid", "enum", "bool") and self.fields_of(rnd, t):
            kinds += ["mmor", "mmor"] if t != "bool" else ["mmor"]
        if ordered and (self.fields_of(rnd, t) and not rnd.single or t == "pid"):
            kinds += ["arg", "arg"]
        if not kinds:
            return None
        kind = self.r.choice(kinds)
        if kind == "minmax":
            return [self.r.choice(["min", "max"]), "(", proj(self.r.choice(self.fields_of(rnd, t))), ")"]
        if kind == "mmor":  # an empty mailbox's mmor meets the tie axiom (class mmorempty)
            return Risky("mmorempty", ["mmor(", proj(self.r.choice(self.fields_of(rnd, t))), ")"],
                         self.zero(t))
        call = [self.r.choice(["argmin", "argmax"]), "(", proj(self.r.choice(ordered)), ")"]
        fs = [] if rnd.single else self.fields_of(rnd, t)
        if t == "pid" and (not fs or self.chance(0.5)):
            return Risky("emptyagg", [call, ".sender"],
                         paren(paren("|", mb, "| > 0"), " ? ", call, ".sender : ", self.safe_pid(sc)))
        e = [call, ".", self.r.choice(fs)]
        if not filtered:
            return e
        return Risky("emptyagg", e, paren(paren("|", mb, "| > 0"), " ? ", e, " : ", self.zero(t)))

    def mbox_int(self, sc, d):
        if not sc.mbox:
            return None
        return self.pick([
            (2, lambda: ["|", self.mailbox(sc, d)[0], "|"] if self.nested_ok(sc) else None),
            (3, lambda: self.aggregate(sc, d, "int")),
            (2, lambda: self.mbox_field(sc, d, "int")),
        ])

    # ---- statements ----
    def assign_rhs(self, t, sc, d):
        if t == "pid":  # an int stored into a pid: 32 bits in the C
            return Risky("pidwide", self.expr("int", sc, d), self.expr("pid", sc, d))
        return self.expr(t, sc, d)

    def assignable(self, ghost):
        return [(v[0], v[1]) for v in self.p.vars if v[2] == ghost and v[0] not in self.frozen]

    def s_assign(self, sc, d):
        ghost = bool(self.assignable(True)) and self.chance(0.25)
        targets = self.assignable(ghost)
        if sc.code and not ghost:
            targets += [(n, t) for n, t in sc.locals if n in self.mutable]
        if not targets:
            return None
        name, t = self.r.choice(targets)
        sub = sc.child()
        sub.ghost = ghost
        return Stmt([name, " = ", self.assign_rhs(t, sub, d), ";"])

    def s_let(self, sc, d):
        t = self.r.choice(["int", "int", "bool", "pid", "set", "enum", "stamp"])
        name = self.fresh("l")
        e = self.assign_rhs(t, sc, d)
        sc.locals.append((name, t))
        if self.chance(0.5):
            self.mutable.add(name)
        return Stmt(["let ", name, ": ", tname(t), " = ", e, ";"])

    def s_if(self, sc, d, nest, body_fn):
        cond = self.expr("bool", sc, d)
        then = body_fn(sc.child(), nest - 1)
        els = body_fn(sc.child(), nest - 1) if self.chance(0.4) else None
        return Stmt(["if (", cond, ")"], then, els, kind="if")

    def s_for(self, sc, d, nest, body_fn):
        i = self.fresh("i")
        sub = sc.child()
        kind = self.r.choice(["range"] * 20 + ["symbolic", "set", "mbox"])
        if kind == "range":
            lo = self.r.choice([0, 0, 1, 2])
            head = ["for ", i, " in %d..%d" % (lo, lo + self.r.choice([0, 1, 2, 3]))]
            sub.locals.append((i, "int"))
        elif kind == "symbolic":
            head = ["for ", i, " in 0..", self.r.choice(["n", "(n - 1)", "2"])]
            sub.locals.append((i, "int"))
        elif kind == "set":
            head = ["for ", i, " in ", self.expr("set", sc, 1)]
            sub.binders.append((i, "pid", "proc"))
        elif sc.mbox:
            head = ["for ", i, " in mbox"]
            sub.binders.append((i, "msg", "msg"))
        else:
            return None
        return Stmt(head, body_fn(sub, nest - 1), kind="for")

    def s_fold(self, sc, d):
        """A loop over the mailbox or a set whose body is a fold (prover/fold.c
        encodes it): each variable accumulated once, in an order-independent
        shape, maybe under a condition."""
        i = self.fresh("i")
        sub = sc.child()
        if sc.mbox and self.chance(0.6):
            head, elem = ["for ", i, " in mbox"], [i, ".sender"]
            sub.binders.append((i, "msg", "msg"))
        else:
            head, elem = ["for ", i, " in ", self.expr("set", sc, 1)], [i]
            sub.binders.append((i, "pid", "proc"))
        targets = self.assignable(False)
        self.r.shuffle(targets)
        body = []
        for name, t in targets[:self.r.randint(1, 3)]:
            shapes = [lambda: [name, " = ", self.expr(t, sc, d), ";"]]  # a constant of the loop
            if t in ("int", "pid", "stamp"):
                e = self.expr(t, sub, d)
                op = self.r.choice(["<", "<=", ">", ">="])
                shapes += [lambda: ["if (", e, " ", op, " ", name, ") { ", name, " = ", e, "; }"],
                           lambda: [name, " = ", self.r.choice(["min", "max"]), "(", name, ", ", e, ");"]]
            if t == "int":
                shapes.append(lambda: [name, " = ", name, " + 1;"])
            if t == "bool":
                shapes.append(lambda: [name, " = ", name, self.r.choice([" || ", " && "]),
                                       self.expr("bool", sub, d), ";"])
            if t == "set":
                shapes.append(lambda: [name, " = ", name, self.r.choice([" + ", " - "]), "{", elem, "};"])
            st = Stmt(self.r.choice(shapes)())
            if self.chance(0.4):
                st = Stmt(["if (", self.expr("bool", sub, d), ")"], Block([st]), kind="if")
            body.append(st)
        return Stmt(head, Block(body), kind="for") if body else None

    def s_halt(self, sc, d):
        """if (c) { [flag = true;] halt; }: a halting flag when there is one."""
        body = []
        if self.halt_flag:
            body.append(Stmt([self.halt_flag, " = true;"]))
        body.append(Stmt("halt;"))
        return Stmt(["if (", self.expr("bool", sc, d), ")"], Block(body), kind="if")

    def filler(self, sc):
        """64 locals in scope: the verifier's capacity (class limits)."""
        out = []
        for _ in range(64):
            name = self.fresh("z")
            sc.locals.append((name, "int"))
            out.append(Stmt(Risky("limits", ["let ", name, ": int = 0;"], "")))
        return out

    def update_block(self, sc, nest, count=None, top=False):
        count = count if count is not None else self.r.randint(1, 4)
        stmts = []
        if top and self.chance(self.knobs.get("limits", 0.03)):
            stmts += self.filler(sc)
            body = lambda s, k: self.update_block(s, k, self.r.randint(1, 2))
            stmts.append(self.s_for(sc, 2, 1, body) or Stmt("halt;"))
        d = self.knobs.get("depth", 3)
        for _ in range(count):
            body_fn = lambda s, k: self.update_block(s, k, self.r.randint(1, 2))
            st = self.pick([
                (6, lambda: self.s_assign(sc, d)),
                (2, lambda: self.s_let(sc, d)),
                (2, lambda: self.s_if(sc, d - 1, nest, body_fn) if nest > 0 else None),
                (1, lambda: self.s_for(sc, d - 1, nest, body_fn) if nest > 0 else None),
                (0.5, lambda: self.s_fold(sc, d - 1) if nest > 0 else None),
                (0.3, lambda: self.s_halt(sc, d - 1) if nest > 0 else None),
            ])
            if st is not None:
                stmts.append(st)
        return Block(stmts)

    def payload(self, rnd, sc, d):
        vals = []
        for f, t in rnd.fields:
            vals.append(Risky("pidwide", self.expr("int", sc, d), self.expr("pid", sc, d))
                        if t == "pid" and self.chance(0.3) else self.expr(t, sc, d))
        if rnd.single:
            return vals[0]
        out = ["("]
        for i, v in enumerate(vals):
            out += [", " if i else "", v]
        for f in rnd.extra:
            out.append(Risky("limits", [", ", self.expr("int", sc, d)], ""))
        return out + [")"]

    def s_send(self, rnd, sc, d):
        pay = self.payload(rnd, sc, d)
        how = self.r.choice(["broadcast", "broadcast", "one", "set"])
        if how == "broadcast":
            return Stmt(["broadcast ", pay, ";"])
        target = self.wild_pid(sc, d) if how == "one" else self.expr("set", sc, d)
        return Stmt(["send ", pay, " to ", target, ";"])

    def send_block(self, rnd, sc, nest):
        stmts = []
        d = self.knobs.get("depth", 3)
        if self.chance(0.3):
            stmts.append(self.s_let(sc, d))
        for _ in range(self.r.choice([1, 1, 2])):
            if nest > 0 and self.chance(0.35):
                c = self.expr("bool", sc, d - 1)
                stmts.append(Stmt(["if (", c, ")"], Block([self.s_send(rnd, sc.child(), d)]),
                                  Block([self.s_send(rnd, sc.child(), d)]) if self.chance(0.3) else None,
                                  kind="if"))
            else:
                stmts.append(self.s_send(rnd, sc, d))
        if self.chance(0.1):
            stmts = []  # a round that sends nothing
        return Block(stmts)

    # ---- the program ----
    def declare(self):
        p = self.p
        if self.chance(0.3):
            p.params.append(("f", None))
            form = self.r.choice(["n > 2 * f", "n > f", "f >= 0 && f < n", "n > 3 * f"])
            p.params[0] = ("n", None)
            p.params[1] = ("f", form)
            p.where_checks.append(lambda v, form=form: eval(form.replace("&&", "and"), {}, v))
        for _ in range(self.r.choice([1, 1, 2])):
            t = self.r.choice(["int", "int", "bool", "pid", "enum"])
            p.inputs.append((self.fresh("in"), t))
            p.uses_enum |= t == "enum"
        self.init_visible = [name for name, _ in p.inputs]
        self.frozen, self.mutable = set(), set()
        self.halt_flag = None
        for _ in range(self.r.randint(1, 4)):
            t = self.r.choice(TYPES + ("int", "int", "bool"))
            self.add_var(t, False)
        if self.chance(0.3):
            self.add_var(self.r.choice(["int", "bool", "set", "pid"]), True)
        if self.chance(0.2):
            self.halt_flag = self.fresh("done")
            p.vars.append((self.halt_flag, "bool", False, "false"))
            self.frozen.add(self.halt_flag)
        if self.chance(0.25):
            p.oracles.append(self.fresh("coin"))
        if self.chance(0.25):
            t = self.r.choice(["int", "bool", "pid"])
            e = self.expr(t, Scope("let"), 2)
            p.lets.append((self.fresh("L"), t, e))

    def add_var(self, t, ghost):
        name = self.fresh({"int": "x", "bool": "b", "pid": "p", "set": "st", "stamp": "ts",
                           "enum": "c"}[t] + ("g" if ghost else ""))
        init = None
        if self.chance(0.6):
            sc = Scope("init", ghost=ghost)
            init = self.expr(t, sc, 1) if t != "pid" else self.r.choice(["id", "0"])
        self.p.vars.append((name, t, ghost, init))
        self.init_visible.append(name)
        if t == "enum":
            self.p.uses_enum = True

    def new_round(self, i):
        kind = self.r.choice(["record", "record", "record", "single"])
        if kind == "single":
            t = self.r.choice(["int", "int", "bool", "pid", "enum", "stamp"])
            rnd = Round("r%d" % i, [("value", t)], True)
        else:
            fields = []
            for _ in range(self.r.randint(1, 4)):
                t = self.r.choice(["int", "int", "bool", "pid", "enum", "stamp"] + ["set"] * (self.chance(0.05)))
                fields.append((self.fresh("f"), t))
            rnd = Round("r%d" % i, fields, False)
            if self.chance(self.knobs.get("limits", 0.03)):  # more fields than the verifier's 16
                rnd.extra = [self.fresh("fx") for _ in range(17 - len(fields) + self.r.randint(0, 2))]
        self.p.uses_enum |= any(t == "enum" for _, t in rnd.fields)
        return rnd

    def patterns(self):
        """Code shapes hoc verify derives facts from (code_facts.h): a stamp
        set to the phase, companions (a stamp and a variable set side by side
        to the phase and a let of the phase and id), and a halting flag
        (declare)."""
        if self.chance(0.15):
            cs, cv, crd = self.fresh("cs"), self.fresh("cv"), self.fresh("crd")
            self.p.lets.append((crd, "bool", paren(paren("phase % n"), " == id")))
            self.p.vars += [(cs, "stamp", False, "never"), (cv, "bool", False, "false")]
            self.frozen |= {cs, cv}
            for rnd in self.p.rounds:
                if self.chance(0.6):
                    rnd.update.stmts[0:0] = [Stmt([cs, " = phase;"]), Stmt([cv, " = ", crd, ";"])]
        if self.chance(0.3):
            ts = self.fresh("tph")
            self.p.vars.append((ts, "stamp", False, "never"))
            self.frozen.add(ts)
            rnd = self.r.choice(self.p.rounds)
            rnd.update.stmts.insert(self.r.randint(0, len(rnd.update.stmts)),
                                    Stmt([ts, " = phase;"]))

    def program(self):
        self.declare()
        for i in range(self.r.choice([1, 1, 2, 2, 3])):
            rnd = self.new_round(i)
            self.p.rounds.append(rnd)
            rnd.send = self.send_block(rnd, Scope("send"), 1)
            rnd.update = self.update_block(Scope("update", rnd), self.knobs.get("nest", 2), top=True)
        self.patterns()
        for _ in range(self.r.choice([1, 2, 2, 3])):
            self.add_spec()
        return self.p

    # ---- specs ----
    def spec_body(self, sc):
        d = self.knobs.get("depth", 3)
        return self.pick([
            (4, lambda: self.forall_procs(sc, 1)),
            (2, lambda: self.forall_procs(sc, 2)),
            (1, lambda: self.quant(sc, d)),
            (1, lambda: self.majority_value(sc)),
            (1, lambda: paren(["|", self.compr(sc, d - 1), "|"], self.r.choice([" > ", " <= ", " == "]),
                              self.expr("int", sc, 1))),
            (1, lambda: self.expr("bool", sc, d)),
        ])

    def forall_procs(self, sc, k):
        sub = sc.child()
        names = [self.fresh("i") for _ in range(k)]
        for nm in names:
            sub.binders.append((nm, "pid", "proc"))
        q = "forall" if self.chance(0.75) else "exists"
        return [q, " ", ", ".join("%s: pid" % nm for nm in names), ". ",
                self.expr("bool", sub, self.knobs.get("depth", 3))]

    def domain_risk(self, kind, quant, q):
        """A spec quantifier over ints or stamps, which the C and the verifier
        range over different values: the verifier's active domain of ints
        holds the state's stamps, that of stamps its ints and pids (class
        domain); its safe form is the quantifier's value over no values."""
        has_stamps = any(t == "stamp" for _, t in self.p.state())
        if kind == "int" and not has_stamps:
            return quant
        return Risky("domain", quant, "true" if q == "forall" else "false")

    def majority_value(self, sc):
        xs = [v[0] for v in self.p.vars if v[1] == "int"] + [n for n, t in self.p.inputs if t == "int"]
        if not xs:
            return None
        w, q = self.fresh("w"), self.fresh("q")
        x = self.r.choice(xs)
        return self.domain_risk("int", ["(exists ", w, ": int. |{ ", q, " | ", x, "[", q, "] == ", w,
                                        " }| > ", self.r.choice(["n / 2", "2 * n / 3", "0"]), ")"],
                                "exists")

    def assumption(self):
        sc = Scope("assume")
        p, q = self.fresh("p"), self.fresh("p")
        return self.pick([
            (2, lambda: ["forall ", p, ": pid. |HO[", p, "]| > ", self.r.choice(["n / 2", "2 * n / 3", "0"])]),
            (1, lambda: ["forall ", p, ": pid. ", p, " in HO[", p, "]"]),
            (1, lambda: ["forall ", p, ": pid, ", q, ": pid. HO[", p, "] == HO[", q, "]"]),
            (1, lambda: self.uniform_assumption(p)),
            (1, lambda: self.spec_body(sc)),
        ])

    def uniform_assumption(self, p):
        """Everybody hears the same set, a majority: what liveness proofs assume."""
        P = self.fresh("P")
        return ["exists ", P, ": set. forall ", p, ": pid. HO[", p, "] == ", P, " && |", P, "| > ",
                self.r.choice(["n / 2", "2 * n / 3"])]

    def add_spec(self):
        kind = self.r.choice(["invariant"] * 6 + ["property"] * 3 + ["assume"] * 2 + ["eventually"])
        name = self.fresh("sp")
        if kind == "assume":
            self.p.specs.append(("assume", name, self.assumption()))
        elif kind == "eventually":
            k = self.r.choice([1, 2])
            self.p.specs.append(("assume", name, ["eventually %d rounds " % k, self.assumption()]))
            self.p.specs.append(("progress", "%s after %d round%s" % (name, k, "s" if k > 1 else ""),
                                 self.spec_body(Scope("spec"))))
        else:
            self.p.specs.append((kind, name, self.spec_body(Scope("spec"))))


# ---- concrete cases ----

INTS = [0, 0, 1, 1, 2, 3, -1, 5, 7, 100, -100, INT64_MAX, INT64_MIN, 2**32, 2**31, -2**31, 2**62]


def fmt_set(mask):
    return "{" + ",".join(str(q) for q in range(64) if mask >> q & 1) + "}"


class Case:
    """One concrete case of a program: the lines of case.h, with Risky values."""

    def __init__(self, header, lines):
        self.header, self.lines = header, lines

    def render(self, safe=frozenset()):
        return "//! case " + self.header + "\n" + "".join(
            "//! " + render(l, safe) + "\n" for l in self.lines)

    def frags(self):
        return self.lines


def value(rng, t, n, phase):
    """A random value of type t for n processes, as case.h writes it (Risky where it
    is outside what the known classes allow)."""
    if t == "int":
        return str(rng.choice(INTS))
    if t == "bool":
        return rng.choice(["true", "false"])
    if t == "enum":
        return str(rng.randrange(3))
    if t == "stamp":
        return str(rng.randint(0, phase + 1))
    if t == "pid":
        safe = str(rng.randrange(n))
        if rng.random() < 0.15:
            return Risky("oob", str(rng.choice([-1, n, n + 1, 63, 64, 2**31 - 1])), safe)
        return safe
    if t == "set":
        # no reachable state holds a set member outside 0..n-1: the C masks
        # every set it builds (literals, comprehensions, set expressions)
        return fmt_set(rng.getrandbits(n))
    raise ValueError(t)


def pick_params(rng, prog, n):
    """Values for the params beyond n that satisfy the where clauses, or None."""
    names = [p for p, _ in prog.params[1:]]
    for _ in range(50):
        vals = {"n": n}
        for nm in names:
            vals[nm] = rng.randint(0, n)
        if all(chk(vals) for chk in prog.where_checks):
            return [n] + [vals[nm] for nm in names]
    return None


def step_line(rng, p, n, r, noracles, uniform=None):
    ho = (1 << p) | rng.getrandbits(n) if uniform is None else uniform
    crash = rng.random() < 0.06 and uniform is None
    oracle = rng.getrandbits(noracles) if noracles else 0
    return "p%d step %d: ho=%s crash=%s oracle=%d" % (
        p, r, fmt_set(ho), "true" if crash else "false", oracle)


def make_case(rng, prog, reach=False):
    """A case of prog, or None when no params fit the n drawn."""
    n = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5])
    params = pick_params(rng, prog, n)
    if params is None:
        return None
    nr = len(prog.rounds)
    rnd = rng.choice([0, 0, 1, 2, 3, 4, 5, 7]) if not reach else rng.randint(0, 5)
    phase = rnd // nr
    core = rng.choice([1, 2, 2, 2, n if n <= 3 else 2])  # the processes the query names (case.h)
    # a good round of a liveness proof: one heard-of set (holding everybody), no crash
    uniform = (1 << n) - 1 if rng.random() < 0.12 else None
    header = "%s%sn=%d round=%d core=%d params=%s" % (
        "reach " if reach else "", "uniform " if uniform else "", n, rnd, min(core, n),
        ",".join(str(v) for v in params))
    lines = []
    for p in range(n):
        items = prog.inputs if reach else prog.state()
        vals = []
        for name, t in items:
            vals += [name, "=", value(rng, t, n, phase), " "]
        if not reach:
            if rng.random() < 0.08:
                vals.append("halted=true ")
            if rng.random() < 0.05:
                vals.append("crashed=true ")
        lines.append(["p%d %s: " % (p, "input" if reach else "pre")] + vals)
    for r in (range(rnd + 1) if reach else [rnd]):
        for p in range(n):
            lines.append(step_line(rng, p, n, r, len(prog.oracles), uniform if r == rnd else None))
    return Case(header, lines)
