#!/bin/sh
# The family tables of docs/recovery_family.md, "Where it stands": today's default on every tier,
# from the stored recovery files (bench/recovery.py, seed 1, 500 x 2 draws, fits saved and
# re-scored by bench/rescore_fits.py with the fortieth session's roi()), widened intervals.
# Run from the repository root: sh bench/family_today.sh
set -e
R=bench/results
T=1207_fortieth
FILES="$R/recovery_family_rescored_one_brand_0_29_$T.json $R/recovery_family_rescored_one_brand_30_59_$T.json $R/recovery_family_rescored_two_brand_0_14_$T.json $R/recovery_family_rescored_two_brand_15_29_$T.json $R/recovery_family_rescored_three_brand_30_44_without_34_$T.json $R/recovery_family_rescored_three_brand_34_$T.json $R/recovery_family_rescored_four_brand_45_$T.json $R/recovery_family_rescored_four_brand_46_54_$T.json $R/recovery_family_rescored_five_brand_55_59_$T.json"
ALL=$(for f in $FILES; do echo all; done)
LABELS="one_brand_0-29 one_brand_30-59 two_brands_0-29 two_brands_0-29 three_brands_30-44 three_brands_30-44 four_brands_45-54 four_brands_45-54 five_brands_55-59"
${PYTHON:-python} bench/recovery_table.py $FILES --labels $LABELS --widened 28p --compact --only $(for l in $LABELS; do echo "$l+widened28p"; done | sort -u)
echo
echo "=== all pooled"
${PYTHON:-python} bench/recovery_table.py $FILES --labels $ALL --widened 28p --compact --list-wrong --only all+widened28p
echo "=== several brands pooled"
${PYTHON:-python} bench/recovery_table.py $FILES --labels $(for l in $LABELS; do case $l in one_*) echo one ;; *) echo several ;; esac; done) --widened 28p --compact --only one+widened28p several+widened28p
echo "=== by mechanism, all pooled"
${PYTHON:-python} bench/recovery_table.py $FILES --labels $ALL --widened 28p --only all+widened28p | sed -n '/by mechanism/,$p'
