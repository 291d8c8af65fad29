#!/bin/sh
# The family tables of docs/recovery_family.md, "Where it stands": today's default on every tier,
# from the stored recovery files (bench/recovery.py, seed 1, 500 x 2 draws, fits saved and
# re-scored by bench/rescore_fits.py with the forty-first session's roi()), widened intervals.
# Run from the repository root: sh bench/family_today.sh
set -e
# the tiers' files and labels: bench/simulated_coverage.py's SOURCES, one list for both
SOURCES=$(${PYTHON:-python} bench/simulated_coverage.py --sources)
FILES=$(echo "$SOURCES" | cut -d' ' -f1)
LABELS=$(echo "$SOURCES" | cut -d' ' -f2)
ALL=$(for f in $FILES; do echo all; done)
${PYTHON:-python} bench/recovery_table.py $FILES --labels $LABELS --widened 28p --compact --only $(for l in $LABELS; do echo "$l+widened28p"; done | sort -u)
echo
echo "=== all pooled"
${PYTHON:-python} bench/recovery_table.py $FILES --labels $ALL --widened 28p --compact --list-wrong --only all+widened28p
echo "=== several brands pooled"
${PYTHON:-python} bench/recovery_table.py $FILES --labels $(for l in $LABELS; do case $l in one_*) echo one ;; *) echo several ;; esac; done) --widened 28p --compact --only one+widened28p several+widened28p
echo "=== by mechanism, all pooled"
${PYTHON:-python} bench/recovery_table.py $FILES --labels $ALL --widened 28p --only all+widened28p | sed -n '/by mechanism/,$p'
