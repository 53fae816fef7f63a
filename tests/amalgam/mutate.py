#!/usr/bin/env python3
"""Writes a seeded mutant of services/amalgam/amalgam.ho: one exact text
replacement, so a mutant follows the protocol as it changes and a change
that removes the mutated text fails loudly instead of testing nothing.

usage: mutate.py SOURCE NAME OUT
"""
import sys

MUTANTS = {
    # commit once f - 1 backups of a stripe hold the op (none, with f = 1)
    "commit_before_f": (
        "|{ q | q in acks[k % W] && place(q, b, g, nbk, rot) < sk }| < f) {",
        "|{ q | q in acks[k % W] && place(q, b, g, nbk, rot) < sk }| < f - 1) {",
    ),
    # commit an op whose f answers are in even if an earlier one's are not
    "commit_out_of_order": ("if (go && quorum) {", "if (quorum) {"),
    # install every op collected up to the highest one, gap or not
    "no_gap_trimming": ("if (whole) { top = k; }", "if (uop[i] > top) { top = uop[i]; }"),
    # rebuild a block from whatever the snapshots hold, as if every reply
    # described the same op of each shard (what FIFO channels gave the thesis)
    "snapshot_without_op_numbers": (
        "let exact = q0 >= 0 && mbox[q0].sapp[id] == opn;",
        "let exact = q0 >= 0;\n          let nocheck = true;",
    ),
    # a backup applies each prepared delta to its parity rows, committed or not
    "parity_before_commit": (
        "for k in app[sh] + 1 .. m.cm + 1 {",
        "for k in app[sh] + 1 .. m.hi + 1 {",
    ),
    # install the chain after hearing from one backup
    "replacement_without_quorum": ("if (|resp| >= n - 1 - g - f + 1) {", "if (|resp| >= 1) {"),
    # the reply is the op's first block after the op instead of before it
    "reply_new_value": (
        "      executed(prep[slot]);",
        "      prep[slot] = blk[first(mask)];\n      executed(prep[slot]);",
    ),
    # compare-and-swap swaps when the block differs from the expected value
    "cas_inverted": (
        "if (bit(mask, b) && kind == Cas && blk[b] == x) { blk[b] = y; }",
        "if (bit(mask, b) && kind == Cas && blk[b] != x) { blk[b] = y; }",
    ),
    # a replaced data server goes live as soon as it is installed, not once the service
    # finished the epoch (Go): a newer incarnation can then take the same Install after
    # the older one committed ops (the bug --replace 2 found; docs/amalgam.md)
    "live_at_install": (
        "          inst = true;\n          lost = true;",
        "          inst = true;\n          live = true;\n          lost = true;",
    ),
    # a replaced backup takes prepares as soon as it is admitted, not once told Go: a
    # newer incarnation can take the same Admit while a data server counts the older
    # one's answers
    "admit_at_once": (
        "          adm = true;\n          bep = m.ae;",
        "          adm = true;\n          inb = true;\n          bep = m.ae;",
    ),
    # a backup drops its prepares at the Install (the model before the witness fix): an op
    # that reached only the witness is then held by the degraded data server and the
    # service alone until a parity server installs (f = 2 with a witness)
    "witness_drops_at_install": (
        "if (huk[sh][i] > m.atop) { huk[sh][i] = 0; hm[sh][i] = 0; }",
        "huk[sh][i] = 0;",
    ),
    # the reconfiguration service's replacement forgets the decision it was carrying out
    # (the model's `gone` before its decisions were durable): an Install in flight is
    # lost while the service was an installed op's f + 1st holder (f = 2, two replacements)
    "reconf_forgets_decision": (
        "    if (reconf && mode == Stop) {\n      tau = 0;",
        "    if (reconf) { mode = Idle; who = -1; }\n    if (reconf && mode == Stop) {\n      tau = 0;",
    ),
    # the window keeps skipping a replaced backup after its newcomer asked for snapshots:
    # ops committed after the snapshot are dropped while the newcomer, rebuilt to the
    # snapshot's commit point, missed them (a backup down, with a witness)
    "drop_past_newcomer": (
        "if (m.sender in exq && m.snap && m.ae >= ce[m.sender]) {",
        "if (m.sender in exq && m.snap && m.ae >= ce[m.sender] && false) {",
    ),
    # a data server counts the answers of a backup's incarnation older than the one it
    # consented to replace it with (a suspected backup not fenced off)
    "suspect_unfenced": (
        "if (q >= g && q < n - 1 && m.aep == sep && m.rce >= ce[q]) {",
        "if (q >= g && q < n - 1 && m.aep == sep) {",
    ),
    # the data server's Add drops the carry from byte to byte (the history keeps it): the
    # same as the correct Add while no sum passes 255, which the 1-byte blocks 0 and 1 of
    # the checked file never make; caught with 2-byte blocks -1 and 0 (run.sh, "carries")
    "add_carry_dropped": (
        "let sum = blk[b][at + i] + x[i] + carry;",
        "let sum = blk[b][at + i] + x[i];",
    ),
    # the data server's Add wraps past the block's end to its first byte instead of
    # cutting there: the carry out of the last byte lands in byte 0
    "add_wraps_at_end": (
        "let sum = blk[b][at + i] + x[i] + carry;\n            blk[b][at + i] = sum % 256;",
        "let sum = blk[b][(at + i) % EC_BLOCK] + x[i] + carry;\n"
        "            blk[b][(at + i) % EC_BLOCK] = sum % 256;",
    ),
}
# no_gap_trimming with single-block ops only (masks 1 and 2): the gap is then
# one of op numbers, as in the thesis' example (op k on one stripe collected,
# op k - 1 on the other not), rather than a multi-block op collected in part
MUTANTS["no_gap_trimming_1block"] = MUTANTS["no_gap_trimming"]

# the snapshot mutant also drops the undo of the deltas past the parity row
EXTRA = {
    "snapshot_without_op_numbers": [
        ("(mbox[q0].sapp[j] < mbox[j].sbase || mbox[q0].sapp[j] > mbox[j].sopn)) {", "!nocheck) {"),
        ("for k in mbox[q0].sapp[j] + 1 .. mbox[j].sopn + 1 {", "for k in 0..0 {"),
    ],
    "no_gap_trimming_1block": [("const MASKS = 4;", "const MASKS = 3;")],
}


def main():
    src, name, out = sys.argv[1:4]
    text = open(src).read()
    for old, new in [MUTANTS[name]] + EXTRA.get(name, []):
        if text.count(old) != 1:
            sys.exit(f"mutate.py: {name}: the text to mutate is not in {src} exactly once: {old}")
        text = text.replace(old, new)
    open(out, "w").write(text)


if __name__ == "__main__":
    main()
