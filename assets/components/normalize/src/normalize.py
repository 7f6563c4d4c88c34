"""Standardize the numeric features of the house-sales CSV and save the scaler statistics."""
import argparse
import json
from pathlib import Path

import pandas as pd

FEATURES = ["sqft", "bedrooms", "age_years", "distance_km"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw-data", required=True)
    parser.add_argument("--clip-outliers", type=float, default=None)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    frame = pd.read_csv(args.raw_data)
    means = frame[FEATURES].mean()
    stds = frame[FEATURES].std(ddof=0).replace(0, 1)
    frame[FEATURES] = (frame[FEATURES] - means) / stds
    if args.clip_outliers is not None:
        frame[FEATURES] = frame[FEATURES].clip(-args.clip_outliers, args.clip_outliers)

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "normalized.csv", index=False)
    (out / "scaler.json").write_text(json.dumps({"means": means.to_dict(), "stds": stds.to_dict()}, indent=2))


if __name__ == "__main__":
    main()
