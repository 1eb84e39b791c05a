#!/bin/bash -eu
# ClusterFuzzLite build script (runs in the image of .clusterfuzzlite/Dockerfile): every target in
# fuzz/fuzz_targets/ goes to $OUT with its dictionary (<target>.dict, loaded automatically) and its
# seed corpus (<target>_seed_corpus.zip, from the curated fuzz/seeds/<target>/).
cd "$SRC/edgeconform"
cargo fuzz build -O --debug-assertions

FUZZ_TARGET_OUTPUT_DIR=fuzz/target/x86_64-unknown-linux-gnu/release
for f in fuzz/fuzz_targets/*.rs
do
    FUZZ_TARGET_NAME=$(basename "${f%.*}")
    cp "$FUZZ_TARGET_OUTPUT_DIR/$FUZZ_TARGET_NAME" "$OUT/"
    if [ -f "fuzz/dict/$FUZZ_TARGET_NAME.dict" ]; then
        cp "fuzz/dict/$FUZZ_TARGET_NAME.dict" "$OUT/"
    fi
    if [ -d "fuzz/seeds/$FUZZ_TARGET_NAME" ]; then
        zip -q -j "$OUT/${FUZZ_TARGET_NAME}_seed_corpus.zip" "fuzz/seeds/$FUZZ_TARGET_NAME"/*
    fi
done
