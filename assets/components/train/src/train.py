"""Fit a ridge regression of house prices and save it as an MLflow model."""
import argparse
from pathlib import Path

import mlflow.sklearn
import pandas as pd
from sklearn.linear_model import Ridge

FEATURES = ["sqft", "bedrooms", "age_years", "distance_km"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--training-data", required=True)
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()

    frame = pd.read_csv(Path(args.training_data) / "normalized.csv")
    model = Ridge(alpha=args.alpha).fit(frame[FEATURES], frame["price"])
    mlflow.sklearn.save_model(model, args.model)


if __name__ == "__main__":
    main()
