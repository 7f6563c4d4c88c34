"""Score a regression model on a folder of validation CSVs and write the metrics."""
import argparse
import json
from pathlib import Path

import mlflow.sklearn
import pandas as pd
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

FEATURES = ["sqft", "bedrooms", "age_years", "distance_km"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--validation-data", required=True)
    parser.add_argument("--metrics", required=True)
    args = parser.parse_args()

    frame = pd.concat(pd.read_csv(p) for p in sorted(Path(args.validation_data).glob("*.csv")))
    model = mlflow.sklearn.load_model(args.model)
    predicted = model.predict(frame[FEATURES])
    metrics = {
        "rmse": float(mean_squared_error(frame["price"], predicted) ** 0.5),
        "mae": float(mean_absolute_error(frame["price"], predicted)),
        "r2": float(r2_score(frame["price"], predicted)),
    }
    out = Path(args.metrics)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
